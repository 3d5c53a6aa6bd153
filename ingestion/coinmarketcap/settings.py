"""CoinMarketCap Pro API: endpoints, fields and table hints (step 2)."""

from ingestion.records import Field

DEFAULT_BASE_URL = "https://pro-api.coinmarketcap.com"
API_KEY_HEADER = "X-CMC_PRO_API_KEY"
OHLCV_PATH = "/v2/cryptocurrency/ohlcv/historical"
QUOTES_PATH = "/v2/cryptocurrency/quotes/latest"
OHLCV_ENDPOINT = f"coinmarketcap GET {OHLCV_PATH}"
QUOTES_ENDPOINT = f"coinmarketcap GET {QUOTES_PATH}"
CONVERT = "USD"
# First day fetched for a token with no history loaded yet (covers the 2023 USDC depeg).
DEFAULT_HISTORY_START = "2021-01-01"

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
