"""Etherscan v2 API (chainid 1): gas oracle, daily gas price, wallet accounts (steps 3-4)."""

from ingestion.records import Field

DEFAULT_BASE_URL = "https://api.etherscan.io"
API_PATH = "/v2/api"
CHAIN_ID = 1
GASORACLE_ENDPOINT = "etherscan gastracker/gasoracle"
DAILY_GAS_ENDPOINT = "etherscan stats/dailyavggasprice"
BALANCEMULTI_ENDPOINT = "etherscan account/balancemulti"
TOKENBALANCE_ENDPOINT = "etherscan account/tokenbalance"
TXLIST_ENDPOINT = "etherscan account/txlist"
TOKENTX_ENDPOINT = "etherscan account/tokentx"
# Etherscan answers at most page x offset <= 10,000 rows per block range.
RESULT_WINDOW = 10_000
DEFAULT_PAGE_SIZE = 1_000
# account/balancemulti answers the ETH balances of up to 20 addresses in one call.
BALANCEMULTI_MAX_ADDRESSES = 20
LAST_BLOCK = 99_999_999
DEFAULT_HISTORY_START = "2021-01-01"
# status "0" messages that mean "nothing", not an error.
EMPTY_MESSAGES = ("No transactions found", "No data found", "No records found")

GASORACLE_FIELDS = (
    Field("LastBlock", "int", required=True),
    Field("SafeGasPrice", "decimal", required=True),
    Field("ProposeGasPrice", "decimal", required=True),
    Field("FastGasPrice", "decimal", required=True),
    Field("suggestBaseFee", "decimal"),
    Field("gasUsedRatio", "text"),
)

DAILY_GAS_FIELDS = (
    Field("UTCDate", "date", required=True, column="utc_date"),
    Field("unixTimeStamp", "int", column="unix_time_stamp"),
    Field("avgGasPrice_Wei", "wei", required=True, column="avg_gas_price_wei"),
)

BALANCEMULTI_FIELDS = (
    Field("account", "text", required=True),
    Field("balance", "wei", required=True),
)

TX_FIELDS = (
    Field("blockNumber", "int", required=True),
    Field("timeStamp", "int", required=True),
    Field("hash", "text", required=True),
    Field("from", "text", required=True),
    Field("to", "text"),
    Field("value", "wei", required=True),
    Field("gas", "int"),
    Field("gasPrice", "wei"),
    Field("gasUsed", "int"),
    Field("isError", "int"),
    Field("txreceipt_status", "text"),
    Field("contractAddress", "text"),
    Field("methodId", "text"),
    Field("functionName", "text"),
)

TOKENTX_FIELDS = (
    Field("blockNumber", "int", required=True),
    Field("timeStamp", "int", required=True),
    Field("hash", "text", required=True),
    Field("logIndex", "int"),
    Field("from", "text", required=True),
    Field("to", "text", required=True),
    Field("contractAddress", "text", required=True),
    Field("value", "wei", required=True),
    Field("tokenName", "text"),
    Field("tokenSymbol", "text"),
    Field("tokenDecimal", "int"),
    Field("gas", "int"),
    Field("gasPrice", "wei"),
    Field("gasUsed", "int"),
)
