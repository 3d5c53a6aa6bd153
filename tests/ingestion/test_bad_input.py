"""Bad answers from the APIs, against the replay server and a real Postgres: each ends loaded
correctly or with an IngestionError naming the endpoint and the problem; rows already loaded
stay intact and nothing of a failed fetch is written, then or on the next run."""

from __future__ import annotations

import time
from itertools import pairwise
from pathlib import Path

import pytest
from fake_clock import FakeClock, most_in_one_second
from recorded import AS_OF, CHARTED_POOLS, count

from core import db
from ingestion.errors import IngestionError
from ingestion.etherscan.limits import RATE_LIMIT_BACKOFF, RateLimiter
from ingestion.pipeline import (
    load_gas,
    load_pool_history,
    load_pools,
    load_prices,
    poll_gas_oracle,
)
from replay import (
    Delay,
    RawBody,
    ReplayServer,
    Status,
    Transform,
    cmc_error,
    drop_field,
    empty_list,
    etherscan_pro_refusal,
    etherscan_rate_limited,
)

POOLS = "raw_defillama.pools"


@pytest.fixture
def loaded(ingest_db: db.PgConnection) -> db.PgConnection:
    return ingest_db


@pytest.fixture
def baseline(loaded: db.PgConnection, replay: ReplayServer) -> int:
    """One good snapshot first, so every failure below has rows to leave intact."""
    if count(loaded, POOLS) == 0:
        load_pools(AS_OF, loaded)
        replay.requests.clear()
    return count(loaded, POOLS)


def test_http_500_then_success_is_retried(
    loaded: db.PgConnection, replay: ReplayServer, baseline: int
) -> None:
    replay.inject("/defillama/pools", Status(500), Status(503))
    result = load_pools(AS_OF, loaded)
    assert result.rows == {POOLS: 3}
    assert [r.status for r in replay.requests_to("/defillama/pools")] == [500, 503, 200]
    assert count(loaded, POOLS) == baseline + 3


def test_429_retry_after_is_honoured(
    loaded: db.PgConnection, replay: ReplayServer, baseline: int
) -> None:
    replay.inject("/defillama/pools", Status(429, headers={"Retry-After": "1"}))
    load_pools(AS_OF, loaded)
    first, second = replay.requests_to("/defillama/pools")
    assert first.status == 429 and second.status == 200
    # the backoff alone would wait 0.05 s; the server asked for 1 s
    assert second.at - first.at >= 0.95


def test_persistent_500_fails_naming_endpoint_and_keeps_rows(
    loaded: db.PgConnection, replay: ReplayServer, baseline: int
) -> None:
    replay.inject("/defillama/pools", *[Status(500)] * 3)
    with pytest.raises(IngestionError, match=r"defillama GET /pools: HTTP 500"):
        load_pools(AS_OF, loaded)
    assert count(loaded, POOLS) == baseline


def test_timeout_fails_naming_endpoint(
    loaded: db.PgConnection, replay: ReplayServer, baseline: int
) -> None:
    replay.inject("/defillama/pools", *[Delay(1.5)] * 3)
    with pytest.raises(IngestionError, match=r"defillama GET /pools: timed out"):
        load_pools(AS_OF, loaded)
    assert count(loaded, POOLS) == baseline


def test_one_timeout_then_an_answer_loads(
    loaded: db.PgConnection, replay: ReplayServer, baseline: int
) -> None:
    replay.inject("/ethgastracker/api/gas/average", Delay(1.5))
    result = load_gas(AS_OF, loaded)
    assert (
        result.rows.get("raw_ethgastracker.gas_hourly", 0) > 0
        or count(loaded, "raw_ethgastracker.gas_hourly") == 168
    )


def test_malformed_json_fails_and_writes_nothing(
    loaded: db.PgConnection, replay: ReplayServer, baseline: int
) -> None:
    replay.inject("/defillama/pools", RawBody('{"status": "success", "data": [{"pool": '))
    with pytest.raises(IngestionError, match=r"defillama GET /pools: response is not valid JSON"):
        load_pools(AS_OF, loaded)
    assert count(loaded, POOLS) == baseline
    # the failed fetch left no pending package behind: the next run adds one snapshot only
    assert load_pools(AS_OF, loaded).rows == {POOLS: 3}
    assert count(loaded, POOLS) == baseline + 3


def test_missing_required_field_names_the_field(
    loaded: db.PgConnection, replay: ReplayServer, baseline: int
) -> None:
    replay.inject("/defillama/pools", drop_field("tvlUsd"))
    with pytest.raises(IngestionError) as failure:
        load_pools(AS_OF, loaded)
    assert str(failure.value).startswith("defillama GET /pools: record 0")
    assert "required field 'tvlUsd' is missing" in str(failure.value)
    assert count(loaded, POOLS) == baseline


def test_retyped_field_fails_loudly(
    loaded: db.PgConnection, replay: ReplayServer, baseline: int
) -> None:
    def retype(payload: dict) -> dict:
        payload["data"][1]["tvlUsd"] = "lots"
        return payload

    replay.inject("/defillama/pools", Transform(retype))
    with pytest.raises(IngestionError, match=r"record 1: field 'tvlUsd' has str 'lots'"):
        load_pools(AS_OF, loaded)
    assert count(loaded, POOLS) == baseline


def test_empty_pool_list_is_an_error(
    loaded: db.PgConnection, replay: ReplayServer, baseline: int
) -> None:
    replay.inject("/defillama/pools", empty_list())
    with pytest.raises(IngestionError, match=r"defillama GET /pools: the response holds no pools"):
        load_pools(AS_OF, loaded)
    assert count(loaded, POOLS) == baseline


def test_empty_gas_week_is_an_error(loaded: db.PgConnection, replay: ReplayServer) -> None:
    before = count(loaded, "raw_ethgastracker.gas_hourly")
    replay.inject("/ethgastracker/api/gas/average", empty_list())
    with pytest.raises(IngestionError, match=r"ethgastracker GET /api/gas/average: .*no hourly"):
        load_gas(AS_OF, loaded)
    assert count(loaded, "raw_ethgastracker.gas_hourly") == before


def test_unknown_pool_in_chart_is_skipped_and_others_load(
    loaded: db.PgConnection, replay: ReplayServer, caplog: pytest.LogCaptureFixture
) -> None:
    unknown = "00000000-0000-0000-0000-000000000000"
    result = load_pool_history(AS_OF, loaded, [unknown, CHARTED_POOLS[0]])
    statuses = {r.path: r.status for r in replay.requests_to("/defillama/chart/")}
    # DeFiLlama answers an unknown pool with 200 {"status": "success", "data": []}.
    assert statuses[f"/defillama/chart/{unknown}"] == 200
    assert "defillama GET /chart/{pool}: 1 unknown pool(s), no history loaded" in caplog.text
    assert unknown in caplog.text and CHARTED_POOLS[0] not in caplog.text
    with db.connect(loaded) as conn, conn.cursor() as cur:
        cur.execute("select distinct pool from raw_defillama.pool_chart")
        assert {row[0] for row in cur.fetchall()} == {CHARTED_POOLS[0]}
    # 59 of the 60 points: AS_OF's point (23:01) comes after the run's moment (02:30).
    assert result.rows == {"raw_defillama.pool_chart": 59}


def test_cmc_key_refusal_falls_back_to_the_free_path_naming_it(
    loaded: db.PgConnection,
    replay: ReplayServer,
    seeds_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = count(loaded, "raw_coinmarketcap.ohlcv_daily")
    replay.inject(
        "/coinmarketcap/v2/cryptocurrency/ohlcv/historical",
        Status(
            401, '{"status": {"error_code": 1001, "error_message": "This API Key is invalid."}}'
        ),
    )
    result = load_prices(AS_OF, loaded, seeds_dir)
    assert "CoinMarketCap refused the key (HTTP 401, error_code 1001" in caplog.text
    assert "free path" in caplog.text and "test-cmc-key" not in caplog.text
    assert result.rows["raw_defillama_coins.price_points"] > 0
    assert count(loaded, "raw_coinmarketcap.ohlcv_daily") == before


def test_cmc_rate_limit_stops_the_step_as_retryable(
    loaded: db.PgConnection, replay: ReplayServer, seeds_dir: Path
) -> None:
    replay.inject("/coinmarketcap/v2/cryptocurrency/ohlcv/historical", *[cmc_error(1008)] * 5)
    with pytest.raises(IngestionError) as failure:
        load_prices(AS_OF, loaded, seeds_dir)
    error = failure.value
    assert (error.status, error.error_code, error.retryable) == (429, 1008, True)
    assert "CoinMarketCap plan's rate limit was reached" in str(error)


def test_missing_api_key_is_refused_before_any_request(
    loaded: db.PgConnection, replay: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ETHERSCAN_API_KEY")
    with pytest.raises(IngestionError, match=r"etherscan: no API key: set ETHERSCAN_API_KEY"):
        poll_gas_oracle(loaded)
    assert replay.requests_to("/etherscan") == []


def test_etherscan_rate_limit_notok_is_retried_then_loads(
    loaded: db.PgConnection, replay: ReplayServer, fake_clock: FakeClock
) -> None:
    replay.inject("/etherscan/v2/api", etherscan_rate_limited(), etherscan_rate_limited())
    result = poll_gas_oracle(loaded)
    assert result.rows == {"raw_etherscan.gas_oracle": 1}
    assert [r.fault for r in replay.requests_to("/etherscan")] == ["Status", "Status", None]
    assert fake_clock.slept >= 0.5 + 1.0  # the backoff, on the limiter's clock


def test_etherscan_rate_limit_that_persists_is_a_retryable_stop(
    loaded: db.PgConnection, replay: ReplayServer, fake_clock: FakeClock
) -> None:
    replay.inject("/etherscan/v2/api", *[etherscan_rate_limited()] * 5)
    with pytest.raises(IngestionError) as failure:
        poll_gas_oracle(loaded)
    assert fake_clock.slept >= sum(RATE_LIMIT_BACKOFF)
    error = failure.value
    assert (error.error_code, error.retryable) == ("rate_limit", True)
    assert "Max calls per sec rate limit reached (3/sec)" in str(error)
    assert "sources.etherscan.calls_per_second" in str(error)


def test_api_pro_refusal_goes_on_with_hourly_gas_and_the_oracle(
    loaded: db.PgConnection, replay: ReplayServer, caplog: pytest.LogCaptureFixture
) -> None:
    replay.inject(
        "/etherscan/v2/api", etherscan_pro_refusal(), params={"action": "dailyavggasprice"}
    )
    result = load_gas(AS_OF, loaded)
    assert "raw_etherscan.gas_oracle" in result.rows
    assert "your Etherscan plan does not include this API Pro endpoint" in caplog.text


def test_ethgastracker_401_names_the_setting_and_never_the_key(
    loaded: db.PgConnection, replay: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ETHGASTRACKER_API_KEY", "secret-gas-key-123")
    replay.inject("/ethgastracker/api/gas/average", Status(401, '"Invalid API Key"'))
    with pytest.raises(IngestionError) as failure:
        load_gas(AS_OF, loaded)
    message = str(failure.value)
    assert "set ETHGASTRACKER_API_KEY" in message and "Invalid API Key" in message
    assert "secret-gas-key-123" not in message and not failure.value.retryable
    sent = replay.requests_to("/ethgastracker")[-1]
    assert sent.params == {"apiKey": "***"}


def test_a_maintenance_page_with_200_is_a_retryable_stop(
    loaded: db.PgConnection, replay: ReplayServer, baseline: int
) -> None:
    page = "<html><body>Down for maintenance</body></html>"
    replay.inject("/defillama/pools", RawBody(page, content_type="text/html"))
    with pytest.raises(IngestionError) as failure:
        load_pools(AS_OF, loaded)
    assert failure.value.retryable and "HTML page" in failure.value.problem
    assert count(loaded, POOLS) == baseline


@pytest.mark.parametrize("rate", [3, 10])
def test_one_limiter_spaces_every_call_of_the_process(rate: float) -> None:
    """The real spacing logic on a simulated clock: calls go out 1.1/rate s apart, so never
    more than ``rate`` arrive in any second; nothing really waits."""
    clock = FakeClock()
    limiter = RateLimiter(calls_per_second=rate, clock=clock.monotonic, sleep=clock.sleep)
    began = time.monotonic()
    sent = []
    for _ in range(5 * int(rate)):
        limiter.wait()
        sent.append(clock.monotonic())
    assert time.monotonic() - began < 1.0  # simulated seconds only
    assert most_in_one_second(sent) == rate
    gaps = [later - earlier for earlier, later in pairwise(sent)]
    assert gaps == pytest.approx([1.1 / rate] * (len(sent) - 1))
    # a call after a pause goes out at once; the next one waits its slot again
    clock.sleep(5.0)
    limiter.wait()
    assert clock.monotonic() == pytest.approx(sent[-1] + 5.0)
