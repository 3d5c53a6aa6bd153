"""The file interface behind ``yieldopt optimize --input problem.json --output result.json``.

Exit codes: 0 an allocation was written, 2 the input is bad (message on stderr naming the
field, nothing written), 3 no allocation satisfies the limits (the result file holds
``{"status": "infeasible", "reason": …}``), 1 the solver failed. The result file is written
atomically, so a reader never sees half a result.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from python_models.optimization.problem import ProblemError, load_problem
from python_models.optimization.result import Result
from python_models.optimization.solver import solve

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3


def write_result(result: Result, output_path: Path) -> None:
    """Write ``result.json`` through a temporary file in the same folder, then rename."""
    output_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=output_path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(result.to_output(), stream, indent=2)
            stream.write("\n")
        os.replace(temporary, output_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def optimize_file(input_path: Path, output_path: Path) -> int:
    """Solve the problem in ``input_path``, write ``output_path``, return the exit code."""
    try:
        problem = load_problem(Path(input_path))
    except ProblemError as error:
        print(f"bad input: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    result = solve(problem)
    write_result(result, Path(output_path))
    if result.succeeded:
        print(
            f"{result.status}: {len(result.allocations)} positions, "
            f"expected profit {result.expected_profit_usd:,.2f} USD, "
            f"{len(result.plan)} plan steps, {result.solve_seconds:.2f} s → {output_path}"
        )
        return EXIT_OK
    print(f"{result.status}: {result.reason}", file=sys.stderr)
    return EXIT_INFEASIBLE if result.status == "infeasible" else EXIT_FAILED
