"""Project-relative locations, so every command works from any working directory."""

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("YIELDOPT_HOME", Path(__file__).resolve().parents[1]))
STATE_DIR = PROJECT_ROOT / ".yieldopt"
PGDATA_DIR = STATE_DIR / "pgdata"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
RECORDINGS_DIR = PROJECT_ROOT / "recordings"
CONFIG_DIR = PROJECT_ROOT / "config"
REPORTS_DIR = PROJECT_ROOT / "reports"
