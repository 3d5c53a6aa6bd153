"""DeFiLlama coins API (``coins.llama.fi``, free, no key): endpoints, coin ids, fields."""

from ingestion.records import Field

DEFAULT_BASE_URL = "https://coins.llama.fi"
CHART_PATH = "/chart/{coins}"
MCAPS_PATH = "/mcaps"
CHART_ENDPOINT = "defillama_coins GET /chart/{coins}"
MCAPS_ENDPOINT = "defillama_coins POST /mcaps"
# Hourly points, the finest period /chart serves over months; a day's OHLC comes from its 24.
PERIOD = "1h"
POINTS_PER_DAY = 24
# /chart answers at most ~500 points per coin and call: ask for 20 days (480 hours) at a time.
DAYS_PER_CALL = 20
# First days fetched for a token with nothing loaded yet (enough for the icebox's windows).
DEFAULT_HISTORY_DAYS = 60

# The coin id of each tracked token (``coingecko:<id>``: DeFiLlama prices CoinGecko assets
# whatever the chain, and /mcaps only knows CoinGecko ids). A new tracked token needs one here.
COINGECKO_IDS = {
    "USDC": "usd-coin",
    "USDT": "tether",
    "DAI": "dai",
    "ETH": "ethereum",
    "WETH": "weth",
    "BTC": "bitcoin",
    "WBTC": "wrapped-bitcoin",
    "USDS": "usds",
    "USDE": "ethena-usde",
    "SUSDE": "ethena-staked-usde",
    "SDAI": "savings-dai",
    "PYUSD": "paypal-usd",
    "GHO": "gho",
    "FRAX": "frax",
    "CRVUSD": "crvusd",
}

POINT_FIELDS = (
    Field("timestamp", "timestamp", required=True),
    Field("price", "float", required=True),
)
MCAP_FIELDS = (
    Field("mcap", "float", required=True),
    Field("timestamp", "timestamp"),
)
