"""HiGHS's banner kept off the console.

HiGHS prints "Running HiGHS … Copyright …" on stdout when a process makes its first solver,
before any option can apply: cvxpy makes that solver inside ``solve`` and only then sets
``output_flag=False``, which silences the solve's log but not the banner. HiGHS prints the
banner once per process, so making the first solver here, with stdout on /dev/null, uses it
up; the solves keep ``output_flag=False`` for their own log.
"""

from __future__ import annotations

import os
import sys

import highspy


def silence_banner() -> None:
    """Make the process's first HiGHS solver with the stdout file descriptor on /dev/null."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
