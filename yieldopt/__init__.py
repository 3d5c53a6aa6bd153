"""The ``yieldopt`` command line: the top of the package graph.

Prefect reads its settings and configures its logging when it is first imported, so both are
decided here, before any command module imports a flow: the project's Prefect home, and
Prefect's console handler quiet but for critical errors (a person reads the progress lines,
warnings and errors of :mod:`yieldopt.console`, a failed step included; Prefect's API and UI
still receive every run log, tracebacks too).

The commands import Prefect and dbt when they run, in no fixed order, and importing dbt calls
``logging.basicConfig()`` (its snowplow tracker): a root handler with a format, which Prefect
then keeps as the user's, printing its INFO lines raw on stderr. A root ``NullHandler`` makes
that call do nothing and is replaced when Prefect configures the root logger.
"""

import logging
import os

from core.prefect_env import use_project_prefect_home

use_project_prefect_home()
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
logging.getLogger().addHandler(logging.NullHandler())
