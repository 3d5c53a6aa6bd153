"""The ``yieldopt`` command line: database, daily run, optimizer, dbt helpers.

Each command imports what it needs when it runs: Prefect, dbt, dlt, cvxpy and the backtest
take seconds to import, and ``--help`` or a refused option should answer at once. Those
imports inside command functions are the deliberate exception to "imports at module top";
the top of this module keeps to the standard library, typer and the light plumbing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
import yaml

from core import db
from core.paths import DBT_PROJECT_DIR, PROJECT_ROOT
from yieldopt.console import attach, make_console

app = typer.Typer(
    help="DeFi Yield Optimizer: daily DeFi allocation net of gas and conversions.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(
    help="The PostgreSQL the project uses (embedded unless PGHOST is set).", no_args_is_help=True
)
app.add_typer(db_app, name="db")


@db_app.command("start")
def db_start() -> None:
    """Start the embedded server (or check the external one) and create the database."""
    info = db.connection_info()
    typer.echo(f"database ready: {info.uri()}")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded server."""
    if db.is_external():
        typer.echo("PGHOST is set: the external server is not ours to stop")
        return
    typer.echo(db.stop_embedded())


@db_app.command("status")
def db_status() -> None:
    """Say whether the server runs."""
    if db.is_external():
        typer.echo(
            f"external PostgreSQL at {os.environ['PGHOST']}:{os.environ.get('PGPORT', '5432')}"
        )
    else:
        typer.echo(db.embedded_status())


@db_app.command("url")
def db_url() -> None:
    """Print a libpq URI (last line) that psql accepts; the password stays in PGPASSWORD."""
    typer.echo(db.connection_info().uri())


def _positive_capital(value: float) -> float:
    """Refuse a capital that is not a positive number while parsing, before anything loads."""
    if not value > 0:
        raise typer.BadParameter(f"must be a positive number of USD, not {value}")
    return value


DateOption = Annotated[
    dt.date | None,
    typer.Option(
        "--date",
        formats=["%Y-%m-%d"],
        help="Run date (UTC); default: today, or with --replay the last recorded day",
    ),
]


@app.command()
def run(
    replay: Annotated[bool, typer.Option("--replay", help="Serve recorded API responses")] = False,
    run_date: DateOption = None,
    config: Annotated[Path | None, typer.Option("--config", help="Strategy YAML")] = None,
) -> None:
    """Run the daily job for one day."""
    # imported when the command runs, not at the top: see the module docstring
    from core.dbt import DBT_LOG_PATH
    from yieldopt.run_day import REFUSALS, prepare_day, run_prepared
    from yieldopt.summary import print_allocation, print_table_summary

    console = make_console()
    attach(console)
    day = run_date.date() if isinstance(run_date, dt.datetime) else run_date
    try:
        prepared = prepare_day(run_date=day, replay=replay, config_path=config)
    except REFUSALS as error:
        console.print(str(error), style="red", soft_wrap=True, markup=False)
        raise typer.Exit(1) from None
    completed = run_prepared(prepared)
    info = db.connection_info()
    print_table_summary(console, info)
    if completed:
        print_allocation(console, info, prepared.day)
    console.print(f"dbt log:  {DBT_LOG_PATH}")
    raise typer.Exit(0 if completed else 1)


@app.command()
def backfill(
    start: Annotated[dt.datetime, typer.Option("--start", formats=["%Y-%m-%d"])],
    end: Annotated[dt.datetime, typer.Option("--end", formats=["%Y-%m-%d"])],
    replay: Annotated[bool, typer.Option("--replay", help="Serve recorded API responses")] = False,
    config: Annotated[Path | None, typer.Option("--config", help="Strategy YAML")] = None,
) -> None:
    """Run the daily job for every day from START to END (inclusive), oldest first."""
    if end < start:
        raise typer.BadParameter(f"--end {end.date()} is before --start {start.date()}")
    # imported when the command runs, not at the top: see the module docstring
    from yieldopt.run_day import run_daily

    attach(make_console())
    failed = []
    for offset in range((end - start).days + 1):
        day = start.date() + dt.timedelta(days=offset)
        if not run_daily(run_date=day, replay=replay, config_path=config):
            failed.append(day.isoformat())
    if failed:
        typer.echo(f"failed days: {', '.join(failed)}", err=True)
    raise typer.Exit(1 if failed else 0)


@app.command()
def backtest(
    start: Annotated[dt.datetime, typer.Option("--start", formats=["%Y-%m-%d"])],
    end: Annotated[dt.datetime, typer.Option("--end", formats=["%Y-%m-%d"])],
    output: Annotated[Path, typer.Option("--output", help="Folder for the report and CSVs")],
    config: Annotated[Path | None, typer.Option("--config", help="Strategy YAML")] = None,
    replay: Annotated[
        bool, typer.Option("--replay", help="Load the recorded API responses first")
    ] = False,
    sweep: Annotated[
        list[str] | None,
        typer.Option("--sweep", help="KEY=V1,V2,… (once or twice): a grid of backtests"),
    ] = None,
    capital: Annotated[
        float,
        typer.Option("--capital", help="Starting capital, USD", callback=_positive_capital),
    ] = 1e6,
    capital_token: Annotated[
        str, typer.Option("--capital-token", help="Token the capital starts in")
    ] = "USDC",
    walk_forward: Annotated[
        bool,
        typer.Option("--walk-forward", help="Re-choose the tuned choices each step, out of sample"),
    ] = False,
    step_days: Annotated[int, typer.Option("--step-days", help="Walk-forward step")] = 30,
    train_days: Annotated[
        int, typer.Option("--train-days", help="Walk-forward trailing window")
    ] = 60,
    grid: Annotated[
        list[str] | None,
        typer.Option(
            "--grid",
            help="Walk-forward choices, KEY=V1,V2,… (repeatable; default payback_days=1,2,3,5,7,14)",
        ),
    ] = None,
) -> None:
    """Replay the strategy from START to END (inclusive) against baselines and yardsticks;
    report to OUTPUT."""
    if end < start:
        raise typer.BadParameter(f"--end {end.date()} is before --start {start.date()}")
    # imported when the command runs, not at the top: see the module docstring
    from core.config import ConfigError, load_config

    console = make_console()
    try:
        strategy = load_config(config)
    except ConfigError as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from None
    # the backtest's own imports (seconds) only once the strategy file is read
    from core.dbt import DbtStageError
    from python_models.backtest.market import MissingDataError
    from python_models.backtest.request import BacktestRequest, RequestError
    from python_models.backtest.sweep import SweepError, parse_axes
    from python_models.backtest.walk_forward import DEFAULT_GRID, WalkForwardSettings
    from yieldopt.backtest import run_backtest_command
    from yieldopt.prefect_api import PrefectUnavailable

    try:
        request = BacktestRequest(
            start=start.date(),
            end=end.date(),
            config=strategy,
            output=output,
            capital_usd=capital,
            capital_token=capital_token,
            replay=replay,
            sweep=tuple(sweep or ()),
            walk_forward=WalkForwardSettings(
                step_days,
                train_days,
                parse_axes(grid, strategy, "--grid") if grid else dict(DEFAULT_GRID),
            )
            if walk_forward
            else None,
        )
        run_backtest_command(request, console)
    except (ConfigError, SweepError, RequestError) as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from None
    except (MissingDataError, DbtStageError, PrefectUnavailable) as error:
        console.print(f"[red]{error}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        console.print(f"[yellow]interrupted: the days done are in {output} and the database")
        raise typer.Exit(130) from None


@app.command()
def serve() -> None:
    """Serve the deployments of prefect.yaml (daily, gas-poller) from this process."""
    # imported when the command runs, not at the top: see the module docstring
    from prefect import serve as prefect_serve

    from yieldopt.deployments import runner_deployments

    prefect_serve(*runner_deployments())


@app.command()
def optimize(
    input_path: Annotated[Path, typer.Option("--input", help="problem.json")],
    output_path: Annotated[Path, typer.Option("--output", help="result.json")],
) -> None:
    """Solve one allocation problem from a file (exit 2: bad input, 3: infeasible)."""
    # imported when the command runs, not at the top: see the module docstring
    from python_models.optimization.cli import optimize_file

    raise typer.Exit(optimize_file(input_path, output_path))


def _dbt_env(dbname: str | None = None) -> dict[str, str]:
    info = db.connection_info(dbname)
    return {**os.environ, **info.libpq_env(), "DBT_PROFILES_DIR": str(PROJECT_ROOT)}


SQLFLUFF_DATABASE = "yieldopt_sqlfluff"
PASSTHROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}


def _run_in_dbt_project(tool: str, args: list[str], dbname: str | None = None) -> None:
    """Run a tool of the virtualenv in the dbt project against the project's database."""
    command = [str(Path(sys.executable).with_name(tool)), *args]
    result = subprocess.run(command, env=_dbt_env(dbname), cwd=DBT_PROJECT_DIR, check=False)
    raise typer.Exit(result.returncode)


# dbt commands that render models (and so read the strategy vars, which dbt_project.yml
# does not define): they get the validated config's vars under the ones given with --vars.
DBT_COMMANDS_WITH_VARS = {"build", "compile", "docs", "list", "ls", "parse", "run", "seed"}
DBT_COMMANDS_WITH_VARS |= {"run-operation", "show", "snapshot", "source", "test"}


def _with_strategy_vars(args: list[str]) -> list[str]:
    """``args`` with one ``--vars``: config/strategy.yml's thresholds, then the caller's."""
    from core.config import default_dbt_vars  # imported when needed: see the module docstring

    if not args or args[0] not in DBT_COMMANDS_WITH_VARS or args[:2] == ["docs", "serve"]:
        return args
    given: dict = {}
    rest = list(args)
    for index, arg in enumerate(args):
        if arg == "--vars" and index + 1 < len(args):
            given = yaml.safe_load(args[index + 1]) or {}
            rest = args[:index] + args[index + 2 :]
            break
        if arg.startswith("--vars="):
            given = yaml.safe_load(arg.removeprefix("--vars=")) or {}
            rest = args[:index] + args[index + 1 :]
            break
    return [*rest, "--vars", json.dumps({**default_dbt_vars(), **given}, default=str)]


@app.command(context_settings=PASSTHROUGH)
def dbt(ctx: typer.Context) -> None:
    """Run any dbt command against the project's database, e.g. ``yieldopt dbt build``
    (with config/strategy.yml's thresholds as vars; ``--vars`` adds to or overrides them)."""
    args = _with_strategy_vars(list(ctx.args))
    _run_in_dbt_project("dbt", [*args, "--project-dir", str(DBT_PROJECT_DIR)])


@app.command(context_settings=PASSTHROUGH)
def sqlfluff(ctx: typer.Context) -> None:
    """SQLFluff in the dbt project (its dbt templater needs the database), e.g. ``lint models``."""
    from core.config import default_dbt_vars  # imported when needed: see the module docstring

    # The templater renders is_incremental() from the tables it finds: an empty database of
    # its own renders the same (full-build) SQL whatever was built, so lint results are stable.
    args = list(ctx.args)
    if not args or args[0] not in {"lint", "fix", "format", "parse", "render"}:
        _run_in_dbt_project("sqlfluff", args, dbname=SQLFLUFF_DATABASE)
    # The models read the strategy vars, which dbt_project.yml does not define: the dbt
    # templater gets config/strategy.yml's from an extra config file ([...:dbt:context]).
    context = "".join(f"{name} = {value}\n" for name, value in default_dbt_vars().items())
    with tempfile.TemporaryDirectory() as folder:
        extra = Path(folder) / "strategy_vars.cfg"
        extra.write_text(f"[sqlfluff:templater:dbt:context]\n{context}")
        _run_in_dbt_project("sqlfluff", [*args, "--config", str(extra)], SQLFLUFF_DATABASE)


@app.command()
def doctor(
    date: DateOption = None,
) -> None:
    """One cheap call per configured source and key: what answers, and what the run will do."""
    # imported when the command runs, not at the top: see the module docstring
    from ingestion.doctor import run_checks
    from ingestion.doctor import table as doctor_table

    day = date.date() if isinstance(date, dt.datetime) else date
    day = day or dt.datetime.now(dt.UTC).date()
    rows = run_checks(day)
    typer.echo(doctor_table(rows))
    stopping = [row.endpoint for row in rows if row.stops]
    if stopping:
        typer.echo(f"a day cannot run: {', '.join(stopping)}", err=True)
        raise typer.Exit(1)
    typer.echo(f"a day can run ({day})")


@app.command("replay")
def replay_command(
    as_of: Annotated[
        dt.datetime, typer.Option("--as-of", formats=["%Y-%m-%d"], help="Day served (UTC)")
    ],
    port: Annotated[int, typer.Option(help="0: a free port")] = 0,
    plan: Annotated[
        str, typer.Option(help="Provider plans acted as: a name of replay/plans.py's PLANS")
    ] = "unlimited",
) -> None:
    """Serve the recordings as the APIs answer at 02:30 UTC on --as-of, until interrupted:
    one SOURCES__<NAME>__BASE_URL=<url> line per source, then a line starting with serving."""
    # imported when the command runs, not at the top: see the module docstring
    from replay.plans import PLANS
    from replay.serving import serve as serve_recordings

    if plan not in PLANS:
        raise typer.BadParameter(f"--plan must be one of {', '.join(PLANS)}")
    serve_recordings(as_of.date(), port, plan)


if __name__ == "__main__":
    app()
