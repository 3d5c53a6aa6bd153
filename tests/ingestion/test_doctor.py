"""``yieldopt doctor`` against the replay server acting as given plans: one cheap call per
source and key, and the verdict the daily run will act on."""

from __future__ import annotations

from pathlib import Path

import pytest
from recorded import AS_OF

from ingestion.doctor import run_checks, table
from replay import PLANS, Plan, ReplayServer
from replay.live import SCENARIOS, Scenario, live_environment


def verdicts(
    recordings: Path, plan: Plan, settings: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, tuple[str, str]]:
    """Endpoint (source and path) -> (answer, action) of every check."""
    for variable in (
        "COINMARKETCAP_API_KEY",
        "ETHGASTRACKER_API_KEY",
        "SOURCES__COINMARKETCAP__PLAN",
    ):
        monkeypatch.delenv(variable, raising=False)
    with ReplayServer(recordings, AS_OF, plan=plan) as server:
        scenario = Scenario("doctor", plan, settings)
        for name, value in live_environment(server, scenario).items():
            monkeypatch.setenv(name, value)
        rows = run_checks(AS_OF)
    assert "***" not in table(rows) and "live-" not in table(rows)  # no key in the table
    return {f"{r.endpoint.split()[0]} {r.endpoint.split()[-1]}": (r.answer, r.action) for r in rows}


def test_free_etherscan_and_startup_cmc_can_run_a_day(
    recordings_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    got = verdicts(
        recordings_dir,
        PLANS["free-etherscan-startup-cmc"],
        SCENARIOS["startup"].settings,
        monkeypatch,
    )
    assert got["coinmarketcap /v2/cryptocurrency/ohlcv/historical"] == ("ok", "use (step 2)")
    assert got["etherscan stats/dailyavggasprice"][0] == "refused"
    assert got["etherscan stats/dailyavggasprice"][1].startswith("fall back")
    assert not any(action.startswith("stop") for _, action in got.values())


def test_no_cmc_key_falls_back_to_the_free_path(
    recordings_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    got = verdicts(
        recordings_dir, PLANS["free-etherscan-startup-cmc"], SCENARIOS["free"].settings, monkeypatch
    )
    assert got["coinmarketcap /v2/cryptocurrency/ohlcv/historical"] == (
        "not configured",
        "fall back",
    )
    assert got["defillama_coins /chart/{coins}"] == ("ok", "use (step 2, free price path)")


def test_a_basic_cmc_key_and_a_keyed_ethgastracker_stop_the_day(
    recordings_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = Plan(cmc="basic", ethgastracker_key=True)
    settings = {**SCENARIOS["startup"].settings, "SOURCES__COINMARKETCAP__PLAN": "startup"}
    got = verdicts(recordings_dir, plan, settings, monkeypatch)
    assert got["coinmarketcap /v2/cryptocurrency/ohlcv/historical"] == ("refused", "fall back")
    assert got["ethgastracker /api/gas/average"] == ("refused", "stop: step 3 fails")
