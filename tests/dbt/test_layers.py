"""The dbt layers flow one way: staging -> intermediate -> marts (docs/architecture.md).

``dbt parse`` (no database needed) writes ``manifest.json``; every model is checked against
the layer of its folder under ``models/``:

- staging (``stg_<source>__<entity>``) reads sources only, and is the only layer that calls
  ``source()``;
- intermediate (``int_…``) never reads a mart;
- marts carry business names (neither ``stg_`` nor ``int_``);
- no model lives outside the three layers.

The checker is a plain function of the manifest, so its rules are also tested on small
hand-made manifests.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from dbt.cli.main import dbtRunner

from core.paths import DBT_PROJECT_DIR, PROJECT_ROOT

LAYERS = ("staging", "intermediate", "marts")
NAME_RULES = {
    "staging": (re.compile(r"^stg_[a-z0-9]+(_[a-z0-9]+)*__[a-z0-9_]+$"), "stg_<source>__<entity>"),
    "intermediate": (re.compile(r"^int_[a-z0-9_]+$"), "int_<name>"),
    "marts": (re.compile(r"^(?!stg_|int_)[a-z][a-z0-9_]*$"), "a business name (no stg_/int_)"),
}


def layer_of(node: dict[str, Any]) -> str | None:
    """The layer of a model: the first folder under models/ (None outside the layers)."""
    parts = Path(node["original_file_path"]).parts
    if len(parts) > 2 and parts[0] == "models" and parts[1] in LAYERS:
        return parts[1]
    return None


def layer_violations(manifest: dict[str, Any]) -> list[str]:
    """Every breach of the layer rules in a dbt manifest, one readable line each."""
    nodes = manifest["nodes"]
    models = {uid: node for uid, node in nodes.items() if node["resource_type"] == "model"}
    problems = []
    for _uid, node in sorted(models.items()):
        name, layer = node["name"], layer_of(node)
        if layer is None:
            problems.append(f"{name}: outside models/staging, intermediate, marts")
            continue
        pattern, expected = NAME_RULES[layer]
        if not pattern.match(name):
            problems.append(f"{name}: a {layer} model must be named {expected}")
        parents = node["depends_on"]["nodes"]
        if layer != "staging" and node.get("sources"):
            called = ", ".join(".".join(source) for source in node["sources"])
            problems.append(f"{name}: only staging calls source() ({layer} calls {called})")
        if layer == "staging":
            others = [parent for parent in parents if not parent.startswith("source.")]
            if others:
                problems.append(f"{name}: staging reads sources only, not {', '.join(others)}")
        if layer == "intermediate":
            marts = [
                models[parent]["name"]
                for parent in parents
                if parent in models and layer_of(models[parent]) == "marts"
            ]
            if marts:
                problems.append(f"{name}: an intermediate model reads marts {', '.join(marts)}")
    return problems


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The project's manifest from ``dbt parse`` into a private target folder."""
    target = tmp_path_factory.mktemp("dbt_parse")
    outcome = dbtRunner().invoke(
        [
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_ROOT),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
            "--no-partial-parse",
            "--quiet",
        ]
    )
    assert outcome.success, outcome.exception
    return json.loads((target / "manifest.json").read_text())


def test_the_project_keeps_its_layers(manifest: dict[str, Any]) -> None:
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    assert {layer_of(node) for node in models} == set(LAYERS)
    assert layer_violations(manifest) == []


def _model(name: str, folder: str, parents: list[str], sources: list[list[str]]) -> dict:
    return {
        "resource_type": "model",
        "name": name,
        "original_file_path": f"models/{folder}/{name}.sql",
        "depends_on": {"nodes": parents, "macros": []},
        "sources": sources,
    }


def _manifest(*models: dict) -> dict[str, Any]:
    return {"nodes": {f"model.yieldopt.{model['name']}": model for model in models}}


GOOD = (
    _model("stg_api__things", "staging/api", ["source.yieldopt.api.things"], [["api", "things"]]),
    _model("int_things_joined", "intermediate/things", ["model.yieldopt.stg_api__things"], []),
    _model("things", "marts/things", ["model.yieldopt.int_things_joined"], []),
)


def test_a_clean_graph_passes() -> None:
    assert layer_violations(_manifest(*GOOD)) == []


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (
            _model("things_raw", "marts/things", ["source.yieldopt.api.things"], [["api", "x"]]),
            "things_raw: only staging calls source() (marts calls api.x)",
        ),
        (
            _model("int_from_source", "intermediate/x", [], [["api", "things"]]),
            "int_from_source: only staging calls source() (intermediate calls api.things)",
        ),
        (
            _model("int_backwards", "intermediate/x", ["model.yieldopt.things"], []),
            "int_backwards: an intermediate model reads marts things",
        ),
        (
            _model("stg_api__joined", "staging/api", ["model.yieldopt.stg_api__things"], []),
            "stg_api__joined: staging reads sources only, not model.yieldopt.stg_api__things",
        ),
        (
            _model("api_things", "staging/api", ["source.yieldopt.api.things"], []),
            "api_things: a staging model must be named stg_<source>__<entity>",
        ),
        (
            _model("things_joined", "intermediate/x", ["model.yieldopt.stg_api__things"], []),
            "things_joined: a intermediate model must be named int_<name>",
        ),
        (
            _model("int_things_report", "marts/x", ["model.yieldopt.things"], []),
            "int_things_report: a marts model must be named a business name (no stg_/int_)",
        ),
        (
            _model("loose", "misc", [], []),
            "loose: outside models/staging, intermediate, marts",
        ),
    ],
)
def test_each_rule_is_enforced(bad: dict, expected: str) -> None:
    assert layer_violations(_manifest(*GOOD, bad)) == [expected]
