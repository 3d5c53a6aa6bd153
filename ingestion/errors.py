"""The one error ingestion raises: which endpoint failed and why, never a secret."""


class IngestionError(RuntimeError):
    """An API answered badly (status, timeout, malformed or incomplete data); nothing was loaded."""

    def __init__(self, endpoint: str, problem: str) -> None:
        super().__init__(f"{endpoint}: {problem}")
        self.endpoint = endpoint
        self.problem = problem
