"""The console a person reads: one line per step, warnings, the closing tables.

The flow reports progress on the ``yieldopt.progress`` logger and the project's modules warn
on their own loggers; this module prints both, plainly. Prefect's own console lines are kept
to warnings (its run logs still reach the Prefect API and UI in full) and dbt's per-node lines
go to dbt's log file. Colours only on a terminal: piped into a file the output has no escape
codes, and tables are laid out 120 columns wide instead of wrapping at 80.
"""

from __future__ import annotations

import logging
import sys

from rich.console import Console

PROJECT_LOGGERS = ("core", "flows", "ingestion", "python_models", "replay", "yieldopt")
PIPED_WIDTH = 120


def make_console() -> Console:
    """A stderr console: styled on a terminal, plain text otherwise."""
    terminal = sys.stderr.isatty()
    return Console(
        stderr=True,
        width=None if terminal else PIPED_WIDTH,
        no_color=not terminal,
        highlight=False,
    )


class ConsoleHandler(logging.Handler):
    """Print a record's message on the console: errors red, warnings yellow (on a terminal)."""

    def __init__(self, console: Console, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        style = {logging.ERROR: "red", logging.WARNING: "yellow"}.get(record.levelno)
        prefix = "warning: " if record.levelno == logging.WARNING else ""
        self.console.print(prefix + record.getMessage(), style=style, markup=False, soft_wrap=True)


def attach(console: Console) -> None:
    """Progress lines and the project's warnings on ``console``."""
    progress = logging.getLogger("yieldopt.progress")
    progress.setLevel(logging.INFO)
    progress.propagate = False
    progress.addHandler(ConsoleHandler(console))
    warnings = ConsoleHandler(console, logging.WARNING)
    for name in PROJECT_LOGGERS:
        project_logger = logging.getLogger(name)
        project_logger.addHandler(warnings)
        project_logger.propagate = False  # not a second time through Prefect's root handler
