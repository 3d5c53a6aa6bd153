"""Steps 1-4 and 9: dlt loads of the APIs' responses into the raw schemas.

dlt finds ``.dlt/config.toml`` relative to the project, whatever the working directory.
"""

import os

from core.paths import PROJECT_ROOT

os.environ.setdefault("DLT_PROJECT_DIR", str(PROJECT_ROOT))
