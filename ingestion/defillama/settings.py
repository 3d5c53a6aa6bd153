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
