"""The scheduled side: the gas poller flow on the replay server, and prefect.yaml's
deployments pointing at the flows with the schedules the code declares."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import yaml

from core import db
from core.paths import RECORDINGS_DIR
from flows.gas_poller import gas_poller_flow
from replay import ReplayServer, replay_environment
from yieldopt.deployments import runner_deployments

ROOT = Path(__file__).resolve().parents[2]
DEMO_DATE = dt.date(2025, 6, 5)


def test_gas_poller_merges_one_reading_per_block(pg: db.PgConnection, prefect_api: None) -> None:
    with (
        ReplayServer(RECORDINGS_DIR, as_of=DEMO_DATE) as server,
        replay_environment(server),
    ):
        first = gas_poller_flow()
        again = gas_poller_flow()
    assert first == {"raw_etherscan.gas_oracle": 1}
    assert again == {"raw_etherscan.gas_oracle": 1}  # the same block, merged
    with db.connect(pg) as conn, conn.cursor() as cur:
        cur.execute("select count(*), min(last_block) from raw_etherscan.gas_oracle")
        assert cur.fetchone() == (1, 22687423)


def test_prefect_yaml_deploys_both_flows_on_their_schedules() -> None:
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    deployments = {d["name"]: d for d in config["deployments"]}
    assert set(deployments) == {"daily", "gas-poller"}
    # after DeFiLlama's daily yield update; the gas oracle every 5 minutes
    expected = {"daily": "30 2 * * *", "gas-poller": "*/5 * * * *"}
    for name, deployment in deployments.items():
        assert deployment["schedules"] == [{"cron": expected[name], "timezone": "UTC"}]
        path, _, function = deployment["entrypoint"].partition(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert callable(getattr(module, function)), deployment["entrypoint"]
        assert deployment["work_pool"]["name"] == "yieldopt"


def test_serve_runs_the_yaml_deployments_on_the_yaml_schedules() -> None:
    built = {deployment.name: deployment for deployment in runner_deployments()}
    assert set(built) == {"daily", "gas-poller"}
    crons = {name: [s.schedule.cron for s in d.schedules] for name, d in built.items()}
    assert crons == {"daily": ["30 2 * * *"], "gas-poller": ["*/5 * * * *"]}
    assert built["daily"].parameters == {"replay": False}
