"""EthGasTracker: hourly gas averages of the past 7 days (step 3)."""

from ingestion.records import Field

DEFAULT_BASE_URL = "https://www.ethgastracker.com"
AVERAGE_PATH = "/api/gas/average"
AVERAGE_ENDPOINT = f"ethgastracker GET {AVERAGE_PATH}"

HOUR_FIELDS = (
    Field("period", "timestamp", required=True),
    Field("baseFee", "float", required=True),
    Field("gasLimit", "float"),
    Field("gasUsed", "float"),
    Field("txCount", "float"),
    Field("min", "float"),
    Field("max", "float"),
    Field("median", "float"),
    Field("ethPrice", "float"),
)
