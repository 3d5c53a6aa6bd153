"""The ``yieldopt`` command line: the top of the package graph.

Prefect reads its settings and configures its logging when it is first imported, so both are
decided here, before any command module imports a flow: the project's Prefect home, and
Prefect's console handler at warnings only (a person reads the progress lines of
:mod:`yieldopt.console`; Prefect's API and UI still receive every run log).
"""

import os

from core.prefect_env import use_project_prefect_home

use_project_prefect_home()
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
