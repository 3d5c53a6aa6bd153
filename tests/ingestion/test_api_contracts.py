"""One contract test per endpoint: the replay server answers as the provider documents, checked
against the real answers in ``samples/real_answers.json`` (recorded by others in public repos
and issue threads; the source of each is in the file) where one exists.

These pin what the live run relies on: CoinMarketCap's exclusive ``time_start`` and its plan
refusals, Etherscan's rate-limit and API Pro answers, DeFiLlama's 200 ``[]`` for an unknown
pool, the coins API's shapes, EthGasTracker's 401 without a key.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from recorded import AS_OF, WALLET

from ingestion.defillama_coins.settings import POINT_FIELDS
from ingestion.etherscan.settings import BALANCEMULTI_FIELDS
from ingestion.records import to_row
from replay import Plan, ReplayServer, cmc_error

SAMPLES = json.loads((Path(__file__).parent / "samples" / "real_answers.json").read_text())
CMC_OHLCV = "/v2/cryptocurrency/ohlcv/historical"


@pytest.fixture(scope="module")
def server(recordings_dir: Path):
    plan = Plan(cmc="startup", etherscan_calls_per_second=3, etherscan_pro=False)
    with ReplayServer(recordings_dir, AS_OF, plan=plan) as replay:
        yield replay


def get(server: ReplayServer, source: str, path: str, **params) -> requests.Response:
    headers = {"X-CMC_PRO_API_KEY": "k"} if source == "coinmarketcap" else {}
    return requests.get(
        f"{server.base_urls[source]}{path}", params=params, headers=headers, timeout=10
    )


def etherscan(server: ReplayServer, **params) -> dict:
    base = {"chainid": "1", "apikey": "contract-test-key"}
    return get(server, "etherscan", "/v2/api", **{**base, **params}).json()


def test_defillama_chart_of_an_unknown_pool_is_200_with_an_empty_list(server: ReplayServer) -> None:
    """yield-server controllers/yield.js: the chart query returns the rows it finds."""
    answer = get(server, "defillama", "/chart/11111111-2222-3333-4444-555555555555")
    assert (answer.status_code, answer.json()) == (200, {"status": "success", "data": []})


def test_defillama_pools_envelope(server: ReplayServer) -> None:
    body = get(server, "defillama", "/pools").json()
    assert body["status"] == "success" and isinstance(body["data"], list) and body["data"]


def test_cmc_ohlcv_time_start_is_exclusive_and_the_day_in_progress_is_absent(
    server: ReplayServer,
) -> None:
    """The OHLCV guide: "to get the candle for 2025-01-01, pass time_start=2024-12-31";
    time_end is inclusive; the period in progress is not returned."""
    start = AS_OF - dt.timedelta(days=4)
    quotes = get(
        server, "coinmarketcap", CMC_OHLCV, id=3408, time_start=start.isoformat(),
        time_end=AS_OF.isoformat(),
    ).json()["data"]["quotes"]  # fmt: skip
    days = [q["time_open"][:10] for q in quotes]
    wanted = [(start + dt.timedelta(days=n)).isoformat() for n in (1, 2, 3)]
    assert days == wanted  # not `start`, and not AS_OF (in progress at 02:30)


def test_cmc_missing_key_is_the_real_401_1002(server: ReplayServer) -> None:
    real = SAMPLES["cmc_1002"]
    answer = requests.get(
        f"{server.base_urls['coinmarketcap']}{CMC_OHLCV}", params={"id": 1}, timeout=10
    )
    status = answer.json()["status"]
    assert answer.status_code == real["http_status"]
    assert set(real["body"]["status"]) <= set(status) and "data" not in answer.json()
    assert (status["error_code"], status["error_message"]) == (
        real["body"]["status"]["error_code"], real["body"]["status"]["error_message"],
    )  # fmt: skip


def test_cmc_plan_without_ohlcv_is_the_real_403_1006(recordings_dir: Path) -> None:
    real = SAMPLES["cmc_1006"]
    with ReplayServer(recordings_dir, AS_OF, plan=Plan(cmc="basic")) as basic:
        answer = get(basic, "coinmarketcap", CMC_OHLCV, id=3408)
    assert answer.status_code == real["http_status"]
    status = answer.json()["status"]
    assert {k: status[k] for k in real["status_fields"]} == real["status_fields"]


def test_cmc_startup_plan_refuses_history_older_than_a_month(server: ReplayServer) -> None:
    old = get(server, "coinmarketcap", CMC_OHLCV, id=3408, time_start="2025-01-01")
    assert (old.status_code, old.json()["status"]["error_code"]) == (403, 1006)


def test_cmc_rate_limit_fault_is_the_documented_429_1008() -> None:
    fault = cmc_error(1008)
    body = json.loads(fault.body)["status"]
    assert fault.code == 429 and body["error_code"] == 1008
    assert body["error_message"].startswith("You've exceeded your API Key's HTTP request rate")


def test_etherscan_past_3_calls_per_second_is_the_real_notok(server: ReplayServer) -> None:
    real = SAMPLES["etherscan_rate_limit"]["body"]  # recorded on a 5/s plan
    answers = [etherscan(server, module="gastracker", action="gasoracle") for _ in range(5)]
    refused = [a for a in answers if a["status"] == "0"]
    assert answers[0]["status"] == "1" and refused
    assert refused[0] == {**real, "result": real["result"].replace("(5/sec)", "(3/sec)")}


def test_etherscan_api_pro_refusal_is_the_real_answer(server: ReplayServer) -> None:
    time.sleep(1.1)  # past the previous test's second of calls
    answer = etherscan(
        server, module="stats", action="dailyavggasprice", startdate="2025-06-01",
        enddate="2025-06-02", sort="asc",
    )  # fmt: skip
    assert answer == SAMPLES["etherscan_api_pro"]["body"]


def test_etherscan_missing_chainid_is_the_real_answer(server: ReplayServer) -> None:
    answer = get(server, "etherscan", "/v2/api", module="account", action="balance", address=WALLET)
    assert answer.json() == SAMPLES["etherscan_missing_chainid"]["body"]


@pytest.fixture(scope="module")
def unlimited(recordings_dir: Path):
    """The server without a calls-per-second cap, for tests that make many calls."""
    with ReplayServer(recordings_dir, AS_OF) as replay:
        yield replay


def test_etherscan_balancemulti_has_the_real_shape(unlimited: ReplayServer) -> None:
    """docs.etherscan.io "Get Native Balance for Multiple Addresses": up to 20 addresses,
    comma-separated; ``result`` lists ``{"account", "balance"}`` (wei, a string) in the
    order asked, each what ``account/balance`` answers for it."""
    real = SAMPLES["etherscan_balancemulti"]["body"]
    empty = "0x" + "3" * 40
    answer = etherscan(
        unlimited, module="account", action="balancemulti", address=f"{WALLET},{empty}",
        tag="latest",
    )  # fmt: skip
    assert {k: answer[k] for k in ("status", "message")} == {
        k: real[k] for k in ("status", "message")
    }
    assert [set(entry) for entry in answer["result"]] == [set(real["result"][0])] * 2
    assert [entry["account"] for entry in answer["result"]] == [WALLET, empty]
    single = etherscan(unlimited, module="account", action="balance", address=WALLET, tag="latest")
    assert [entry["balance"] for entry in answer["result"]] == [single["result"], "0"]
    # the production parser reads the real answer
    rows = [to_row(e, BALANCEMULTI_FIELDS, "contract", i) for i, e in enumerate(real["result"])]
    assert [(r["account"], r["balance"]) for r in rows] == [
        (e["account"], Decimal(e["balance"])) for e in real["result"]
    ]
    too_many = etherscan(
        unlimited, module="account", action="balancemulti", address=",".join([empty] * 21)
    )
    assert (too_many["status"], too_many["message"]) == ("0", "NOTOK")


def test_etherscan_balances_are_the_chain_at_the_moment(
    recordings_dir: Path, unlimited: ReplayServer
) -> None:
    """A balance asked at a past moment leaves out what moved after it: the recorded answer
    (the end of the recordings) minus the account's later records."""
    usdc = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
    ask = {"module": "account", "address": WALLET}
    with ReplayServer(recordings_dir, dt.date(2025, 7, 1)) as after:  # after every record
        end_eth = etherscan(after, action="balance", tag="latest", **ask)["result"]
        end_usdc = etherscan(after, action="tokenbalance", contractaddress=usdc, **ask)["result"]
        transfers = etherscan(after, action="tokentx", **ask)["result"]
    account = recordings_dir / "etherscan" / "accounts" / WALLET
    assert end_eth == json.loads((account / "balance.json").read_text())["result"]
    recorded_usdc = json.loads((account / "tokenbalance" / f"{usdc}.json").read_text())
    assert end_usdc == recorded_usdc["result"]
    moment = dt.datetime.combine(AS_OF, dt.time(2, 30), dt.UTC).timestamp()
    unsent = [int(t["value"]) for t in transfers if int(t["timeStamp"]) >= moment]
    assert len(unsent) == 2  # the two logs of AS_OF's transaction, at 12:00
    then = etherscan(unlimited, action="tokenbalance", contractaddress=usdc, **ask)["result"]
    assert int(then) == int(end_usdc) + sum(unsent)  # sent later: still held at 02:30


def test_ethgastracker_without_a_key_is_401_when_the_service_wants_one(
    recordings_dir: Path,
) -> None:
    """wslyvh/eth-gas-tracker src/middleware.ts: other origins need ?apiKey=."""
    with ReplayServer(recordings_dir, AS_OF, plan=Plan(ethgastracker_key=True)) as keyed:
        missing = get(keyed, "ethgastracker", "/api/gas/average")
        given = get(keyed, "ethgastracker", "/api/gas/average", apiKey="k")
    assert (missing.status_code, missing.json()) == (401, "No API Key provided")
    assert given.status_code == 200


def test_coins_chart_has_the_real_shape_and_nothing_after_the_moment(server: ReplayServer) -> None:
    real = SAMPLES["coins_chart"]["body"]["coins"]
    real_coin = next(iter(real.values()))
    start = int(dt.datetime.combine(AS_OF - dt.timedelta(days=1), dt.time(), dt.UTC).timestamp())
    body = get(
        server, "defillama_coins", "/chart/coingecko:usd-coin,coingecko:no-such-coin",
        start=start, span=48, period="1h",
    ).json()  # fmt: skip
    assert list(body) == ["coins"] and list(body["coins"]) == ["coingecko:usd-coin"]
    coin = body["coins"]["coingecko:usd-coin"]
    assert set(coin) <= set(real_coin) and {"symbol", "prices"} <= set(coin)
    assert set(coin["prices"][0]) == set(real_coin["prices"][0])
    moment = dt.datetime.combine(AS_OF, dt.time(2, 30), dt.UTC).timestamp()
    assert len(coin["prices"]) == 24 + 3  # yesterday's 24 hours, today's 00:00-02:00
    assert all(p["timestamp"] <= moment for p in coin["prices"])
    # the production parser reads the real answer's points
    rows = [to_row(p, POINT_FIELDS, "contract", i) for i, p in enumerate(real_coin["prices"])]
    assert rows[0]["timestamp"].tzinfo is not None and rows[0]["price"] > 0


def test_coins_mcaps_answers_known_coins_only(server: ReplayServer) -> None:
    answer = requests.post(
        f"{server.base_urls['defillama_coins']}/mcaps",
        json={"coins": ["coingecko:tether", "coingecko:no-such-coin"]},
        timeout=10,
    ).json()
    assert list(answer) == ["coingecko:tether"]
    assert set(answer["coingecko:tether"]) == {"mcap", "timestamp"}
