"""DeFiLlama yields API: endpoints, fields and table hints (steps 1 and 9)."""

from ingestion.records import Field

DEFAULT_BASE_URL = "https://yields.llama.fi"
POOLS_ENDPOINT = "defillama GET /pools"
CHART_ENDPOINT = "defillama GET /chart/{pool}"

POOL_FIELDS = (
    Field("pool", "text", required=True),
    Field("chain", "text", required=True),
    Field("project", "text", required=True),
    Field("symbol", "text", required=True),
    Field("tvlUsd", "float", required=True),
    Field("apy", "float"),
    Field("apyBase", "float"),
    Field("apyReward", "float"),
    Field("rewardTokens", "json"),
    Field("underlyingTokens", "json"),
    Field("stablecoin", "bool"),
    Field("ilRisk", "text"),
    Field("exposure", "text"),
    Field("poolMeta", "text"),
    Field("apyPct1D", "float"),
    Field("apyPct7D", "float"),
    Field("apyPct30D", "float"),
    Field("apyMean30d", "float"),
    Field("apyBase7d", "float"),
    Field("il7d", "float"),
    Field("volumeUsd1d", "float"),
    Field("volumeUsd7d", "float"),
    Field("mu", "float"),
    Field("sigma", "float"),
    Field("count", "int"),
    Field("outlier", "bool"),
)

CHART_FIELDS = (
    Field("timestamp", "timestamp", required=True),
    Field("tvlUsd", "float", required=True),
    Field("apy", "float"),
    Field("apyBase", "float"),
    Field("apyReward", "float"),
    Field("il7d", "float"),
    Field("apyBase7d", "float"),
)

# The two raw tables as dlt creates them from the hints above, for writers of raw rows that do
# not go through dlt (the dbt tests, bench/dbt_incremental.py). tests/ingestion/test_loads.py
# checks every column's type against the tables a real load creates.
RAW_TABLES_DDL = """
create schema if not exists raw_defillama;
create table raw_defillama.pools (
    pool varchar, chain varchar, project varchar, symbol varchar, tvl_usd double precision,
    apy double precision, apy_base double precision, apy_reward double precision,
    reward_tokens jsonb, underlying_tokens jsonb, stablecoin boolean, il_risk varchar,
    exposure varchar, pool_meta varchar, apy_pct1_d double precision,
    apy_pct7_d double precision, apy_pct30_d double precision, apy_mean30d double precision,
    apy_base7d double precision, il7d double precision, volume_usd1d double precision,
    volume_usd7d double precision, mu double precision, sigma double precision, count bigint,
    outlier boolean, fetched_at timestamptz, run_date date, _dlt_load_id varchar not null,
    _dlt_id varchar not null unique
);
create table raw_defillama.pool_chart (
    "timestamp" timestamptz, tvl_usd double precision, apy double precision,
    apy_base double precision, apy_reward double precision, il7d double precision,
    apy_base7d double precision, pool varchar, chart_date date, fetched_at timestamptz,
    _dlt_load_id varchar not null, _dlt_id varchar not null unique
);
"""
