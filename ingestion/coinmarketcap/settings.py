"""CoinMarketCap Pro API: endpoints, fields and table hints (step 2)."""

from ingestion.records import Field

DEFAULT_BASE_URL = "https://pro-api.coinmarketcap.com"
API_KEY_HEADER = "X-CMC_PRO_API_KEY"
OHLCV_PATH = "/v2/cryptocurrency/ohlcv/historical"
QUOTES_PATH = "/v2/cryptocurrency/quotes/latest"
OHLCV_ENDPOINT = f"coinmarketcap GET {OHLCV_PATH}"
QUOTES_ENDPOINT = f"coinmarketcap GET {QUOTES_PATH}"
CONVERT = "USD"
# How far back each plan's ohlcv/historical reaches (CoinMarketCap's plan table: Startup 1
# month, Standard 3, Professional 12, Enterprise all). Basic and Hobbyist do not include the
# endpoint at all (HTTP 403, error_code 1006): prices then come from DeFiLlama's coins API.
PLAN_HISTORY_DAYS: dict[str, int | None] = {
    "startup": 30,
    "standard": 90,
    "professional": 365,
    "enterprise": None,
}
PLANS_WITHOUT_OHLCV = ("basic", "hobbyist")
DEFAULT_PLAN = "startup"
# First day an Enterprise plan (no depth limit) fetches for a token with no history yet.
EARLIEST_HISTORY_START = "2021-01-01"
# error_code -> what it means for the run (CoinMarketCap "Errors and Rate Limits").
KEY_ERRORS = (1001, 1002, 1003, 1004, 1005, 1007)
PLAN_ERROR = 1006
RATE_LIMIT_ERRORS = (1008, 1011)

# One daily quote: the record's times plus its quote.USD block, flattened by the source.
OHLCV_FIELDS = (
    Field("time_open", "timestamp", required=True),
    Field("time_close", "timestamp", required=True),
    Field("open", "float", required=True),
    Field("high", "float", required=True),
    Field("low", "float", required=True),
    Field("close", "float", required=True),
    Field("volume", "float"),
    Field("market_cap", "float"),
)

QUOTE_FIELDS = (
    Field("price", "float", required=True),
    Field("market_cap", "float"),
    Field("volume_24h", "float"),
    Field("last_updated", "timestamp", required=True),
)
