"""The one error ingestion raises: which endpoint failed, why, and whether retrying can help.

The daily flow's retry condition reads :attr:`IngestionError.retryable` instead of matching
message text; ``status`` (HTTP) and ``error_code`` (the API's own code, e.g. CoinMarketCap's
1006 or Etherscan's NOTOK text class) say what the provider answered. Never a secret.
"""

from __future__ import annotations


class IngestionError(RuntimeError):
    """An API answered badly (status, timeout, malformed or incomplete data); nothing was loaded.

    ``retryable`` is True only where a later attempt can succeed unchanged: timeouts,
    connection errors, 5xx, rate limits (HTTP 429, CoinMarketCap 1008, Etherscan's
    "Max calls per sec"), a maintenance page. A plan refusal, a missing key or bad data is
    not retryable: the run must stop (or fall back) and say what to change.
    """

    def __init__(
        self,
        endpoint: str,
        problem: str,
        *,
        status: int | None = None,
        error_code: int | str | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(f"{endpoint}: {problem}")
        self.endpoint = endpoint
        self.problem = problem
        self.status = status
        self.error_code = error_code
        self.retryable = retryable

    def with_problem(self, problem: str) -> IngestionError:
        """The same error (endpoint, status, code, retryable) with another text."""
        return IngestionError(
            self.endpoint,
            problem,
            status=self.status,
            error_code=self.error_code,
            retryable=self.retryable,
        )
