"""Etherscan: gas oracle, daily average gas price (step 3) and wallet accounts (step 4).

Every number Etherscan sends is a string; wei amounts are loaded as numeric(78,0). Fetched
balances (every wallet's ETH, the token balances its transfers cannot give, the pool
reserves: ``balances`` says which) are appended as snapshots per run; transactions and
token transfers are merged and fetched
from the block after the last one the destination holds per wallet (``loaded_blocks``), with
Etherscan's page/offset paging and a new block range whenever the 10,000-row window is full.
The API key is a query parameter (Etherscan accepts nothing else); it stays out of every
row, log line and error message.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import dlt
from dlt.sources import DltResource

from ingestion.errors import IngestionError
from ingestion.etherscan import balances, limits
from ingestion.etherscan.client import EtherscanClient
from ingestion.etherscan.settings import (
    BALANCEMULTI_ENDPOINT,
    BALANCEMULTI_FIELDS,
    BALANCEMULTI_MAX_ADDRESSES,
    DAILY_GAS_ENDPOINT,
    DAILY_GAS_FIELDS,
    DEFAULT_BASE_URL,
    DEFAULT_HISTORY_START,
    DEFAULT_PAGE_SIZE,
    GASORACLE_ENDPOINT,
    GASORACLE_FIELDS,
    LAST_BLOCK,
    RESULT_WINDOW,
    TOKENBALANCE_ENDPOINT,
    TOKENTX_ENDPOINT,
    TOKENTX_FIELDS,
    TX_FIELDS,
    TXLIST_ENDPOINT,
)
from ingestion.records import CONTRACT, columns, convert, to_row, utc_now
from ingestion.seeds import TrackedToken

logger = logging.getLogger(__name__)


@dlt.source(name="etherscan", max_table_nesting=0)
def etherscan_gas_source(
    run_date: dt.date,
    base_url: str = dlt.config.value,
    api_key: str = dlt.secrets.value,
    history_start: str = DEFAULT_HISTORY_START,
    calls_per_second: float = limits.DEFAULT_CALLS_PER_SECOND,
) -> DltResource:
    """Step 3: the daily average gas price from ``history_start`` up to ``run_date``.

    An API Pro endpoint: a free key is refused (``IngestionError.error_code`` "api_pro"),
    and the pipeline goes on without it (``ingestion.pipeline.load_gas``).
    """
    client = EtherscanClient(base_url or DEFAULT_BASE_URL, api_key, calls_per_second)
    first_day = dt.date.fromisoformat(history_start)

    @dlt.resource(
        name="daily_avg_gas_price",
        write_disposition="merge",
        primary_key="utc_date",
        columns=columns(DAILY_GAS_FIELDS, {"fetched_at": "timestamp"}),
        schema_contract=CONTRACT,
    )
    def daily_avg_gas_price(
        # dlt's idiom: the cursor is the resource argument's default (state is injected).
        utc_date: dlt.sources.incremental[dt.date] = dlt.sources.incremental(  # noqa: B008
            "utc_date",
            initial_value=first_day,
        ),
    ) -> Iterator[list[dict[str, Any]]]:
        start = utc_date.start_value
        if start > run_date:
            return
        result = client.call(
            DAILY_GAS_ENDPOINT,
            module="stats",
            action="dailyavggasprice",
            startdate=start.isoformat(),
            enddate=run_date.isoformat(),
            sort="asc",
        )
        fetched_at = utc_now()
        rows = [
            to_row(r, DAILY_GAS_FIELDS, DAILY_GAS_ENDPOINT, i)
            for i, r in enumerate(_list(result, DAILY_GAS_ENDPOINT))
        ]
        yield [{**r, "fetched_at": fetched_at} for r in rows if r["utc_date"] <= run_date]

    return daily_avg_gas_price


@dlt.source(name="etherscan_gas_oracle", max_table_nesting=0)
def etherscan_gas_oracle_source(
    base_url: str = dlt.config.value,
    api_key: str = dlt.secrets.value,
    calls_per_second: float = limits.DEFAULT_CALLS_PER_SECOND,
) -> DltResource:
    """The 5-minute gas oracle poll, merged on its block."""
    client = EtherscanClient(base_url or DEFAULT_BASE_URL, api_key, calls_per_second)

    @dlt.resource(
        name="gas_oracle",
        write_disposition="merge",
        primary_key="last_block",
        columns=columns(GASORACLE_FIELDS, {"polled_at": "timestamp"}),
        schema_contract=CONTRACT,
    )
    def gas_oracle() -> Iterator[dict[str, Any]]:
        result = client.call(GASORACLE_ENDPOINT, module="gastracker", action="gasoracle")
        if not isinstance(result, dict):
            raise IngestionError(GASORACLE_ENDPOINT, "'result' is not an object")
        yield {**to_row(result, GASORACLE_FIELDS, GASORACLE_ENDPOINT, 0), "polled_at": utc_now()}

    return gas_oracle


@dlt.source(name="etherscan", max_table_nesting=0)
def etherscan_wallet_source(
    run_date: dt.date,
    wallets: Sequence[str],
    tokens: Sequence[TrackedToken],
    reserve_tokens: Mapping[str, Sequence[str] | None],
    loaded_blocks: Mapping[str, Mapping[str, int]],
    loaded_transfers: Mapping[str, Mapping[str, balances.Running]] | None = None,
    base_url: str = dlt.config.value,
    api_key: str = dlt.secrets.value,
    page_size: int = DEFAULT_PAGE_SIZE,
    calls_per_second: float = limits.DEFAULT_CALLS_PER_SECOND,
) -> list[DltResource]:
    """Step 4: ETH balances of ``wallets``, the token balances that cannot be derived from
    their transfers (``ingestion.etherscan.balances``) and the pool reserves, and the
    wallets' transactions and token transfers up to the end of ``run_date``.

    ``reserve_tokens`` maps each pool reserve contract to its pool's token contracts (None:
    unknown, every tracked token is asked). ``loaded_blocks`` maps ``transactions`` and
    ``token_transfers`` to each wallet's last loaded block; ``loaded_transfers`` gives what
    the loaded token transfers sum to per wallet and token (``balances.LOADED_BALANCES_SQL``).
    """
    client = EtherscanClient(base_url or DEFAULT_BASE_URL, api_key, calls_per_second)
    wallets = list(dict.fromkeys(w.lower() for w in wallets))
    end_of_day = int(dt.datetime.combine(run_date, dt.time.max, dt.UTC).timestamp())
    token_contracts = {t.contract_address: t for t in tokens if t.contract_address}
    fetched: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def account_rows(action: str, endpoint: str, fields: Any, table: str, address: str) -> Any:
        """The wallet's new txlist/tokentx rows, fetched once whichever resource asks first
        (the token balances need the new transfers before they know what to call)."""
        if (table, address) not in fetched:
            last = loaded_blocks.get(table, {}).get(address)
            records = _paged(
                client, endpoint, action, address, 0 if last is None else last + 1, page_size
            )
            fetched_at = utc_now()
            rows = [to_row(r, fields, endpoint, f"{address} #{i}") for i, r in enumerate(records)]
            rows = [r for r in rows if r["timeStamp"] <= end_of_day]
            for row in rows:
                row.update(address=address, fetched_at=fetched_at)
            if table == "token_transfers":
                _fill_log_index(rows)
            fetched[(table, address)] = rows
        return fetched[(table, address)]

    def new_transfers(address: str) -> list[dict[str, Any]]:
        return account_rows("tokentx", TOKENTX_ENDPOINT, TOKENTX_FIELDS, "token_transfers", address)

    @dlt.resource(
        name="balances",
        write_disposition="append",
        columns=columns(
            (),
            {
                "address": "text",
                "balance_wei": "wei",
                "fetched_at": "timestamp",
                "run_date": "date",
            },
        ),
        schema_contract=CONTRACT,
    )
    def eth_balances() -> Iterator[dict[str, Any]]:
        # Documented: account/balancemulti answers up to 20 addresses per call, as a list of
        # {"account", "balance"} in wei.
        for first in range(0, len(wallets), BALANCEMULTI_MAX_ADDRESSES):
            chunk = wallets[first : first + BALANCEMULTI_MAX_ADDRESSES]
            result = client.call(
                BALANCEMULTI_ENDPOINT,
                module="account",
                action="balancemulti",
                address=",".join(chunk),
                tag="latest",
            )
            fetched_at = utc_now()
            answered = _balances_by_account(result)
            for address in chunk:
                # Documented: one {"account", "balance"} per address asked ("0" for an
                # empty account); a missing one is a broken answer, not a zero balance.
                if address not in answered:
                    raise IngestionError(BALANCEMULTI_ENDPOINT, f"{address}: not in the answer")
                yield {
                    "address": address,
                    "balance_wei": answered[address],
                    "fetched_at": fetched_at,
                    "run_date": run_date,
                }

    def token_balance_calls() -> Iterator[tuple[str, TrackedToken]]:
        """(holder, token) pairs to ask of account/tokenbalance, the wallets' first."""
        for address in wallets:
            running = balances.running_balances(
                address, new_transfers(address), (loaded_transfers or {}).get(address, {})
            )
            for contract, token in token_contracts.items():
                why = balances.reason_to_call(contract, running.get(contract))
                if why is None:
                    # Documented: tokentx lists the address's ERC-20 Transfer events, mints
                    # and burns included; a balance moved only by them is their sum, which
                    # the ledger makes of the loaded transfers: no call.
                    continue
                reason, warn = why
                level = logging.WARNING if warn else logging.DEBUG
                message = "%s of %s: %s; asked of account/tokenbalance"
                logger.log(level, message, token.symbol, address, reason)
                yield address, token
        # Pool reserve contracts: their transfers are never loaded, so their balances are
        # asked, for the pool's own tracked tokens (tokenbalance answers "0" for the others).
        asked: dict[str, set[str]] = {}
        for contract, pool_tokens in reserve_tokens.items():
            holder = contract.lower()
            wanted = token_contracts if pool_tokens is None else {t.lower() for t in pool_tokens}
            asked.setdefault(holder, set()).update(c for c in wanted if c in token_contracts)
        for holder, contracts in asked.items():
            if holder in wallets:
                continue  # a wallet's balances are decided above
            for contract in token_contracts:  # the seed's order
                if contract in contracts:
                    yield holder, token_contracts[contract]

    @dlt.resource(
        name="token_balances",
        write_disposition="append",
        columns=columns(
            (),
            {
                "address": "text",
                "contract_address": "text",
                "token_symbol": "text",
                "balance_raw": "wei",
                "fetched_at": "timestamp",
                "run_date": "date",
            },
        ),
        schema_contract=CONTRACT,
    )
    def token_balances() -> Iterator[dict[str, Any]]:
        for holder, token in token_balance_calls():
            result = client.call(
                TOKENBALANCE_ENDPOINT,
                module="account",
                action="tokenbalance",
                contractaddress=token.contract_address,
                address=holder,
                tag="latest",
            )
            yield {
                "address": holder,
                "contract_address": token.contract_address,
                "token_symbol": token.symbol,
                "balance_raw": _wei(result, TOKENBALANCE_ENDPOINT, holder),
                "fetched_at": utc_now(),
                "run_date": run_date,
            }

    @dlt.resource(
        name="transactions",
        write_disposition="merge",
        primary_key=("address", "hash"),
        columns=columns(TX_FIELDS, {"address": "text", "fetched_at": "timestamp"}),
        schema_contract=CONTRACT,
    )
    def transactions() -> Iterator[list[dict[str, Any]]]:
        for address in wallets:
            yield account_rows("txlist", TXLIST_ENDPOINT, TX_FIELDS, "transactions", address)

    @dlt.resource(
        name="token_transfers",
        write_disposition="merge",
        primary_key=("address", "hash", "log_index"),
        columns=columns(TOKENTX_FIELDS, {"address": "text", "fetched_at": "timestamp"}),
        schema_contract=CONTRACT,
    )
    def token_transfers() -> Iterator[list[dict[str, Any]]]:
        for address in wallets:
            yield new_transfers(address)

    return [eth_balances, token_balances, transactions, token_transfers]


def _balances_by_account(result: Any) -> dict[str, Any]:
    """``account -> wei`` of a balancemulti result, each entry checked like a record."""
    entries = _list(result, BALANCEMULTI_ENDPOINT)
    rows = [to_row(e, BALANCEMULTI_FIELDS, BALANCEMULTI_ENDPOINT, i) for i, e in enumerate(entries)]
    return {row["account"].lower(): row["balance"] for row in rows}


def _paged(
    client: EtherscanClient,
    endpoint: str,
    action: str,
    address: str,
    start_block: int,
    page_size: int,
) -> list[dict[str, Any]]:
    """Every record from ``start_block`` on, ascending, across pages and block ranges.

    When a range's 10,000-row window is full, the next range starts at the last block seen
    (that block may continue on the next page); records seen twice are dropped by their key,
    never by the whole record (``confirmations`` grows between two calls).
    """
    seen: set[tuple[Any, ...]] = set()
    records: list[dict[str, Any]] = []
    pages_per_window = max(1, RESULT_WINDOW // page_size)
    while True:
        last_block = None
        for page in range(1, pages_per_window + 1):
            batch = _list(
                client.call(
                    endpoint,
                    module="account",
                    action=action,
                    address=address,
                    startblock=start_block,
                    endblock=LAST_BLOCK,
                    page=page,
                    offset=page_size,
                    sort="asc",
                ),
                endpoint,
            )
            for record in batch:
                identity = _identity(record)
                if identity not in seen:
                    seen.add(identity)
                    records.append(record)
            if len(batch) < page_size:
                return records
            last_block = int(convert(batch[-1].get("blockNumber"), "int"))
        if last_block is None or last_block == start_block:
            raise IngestionError(
                endpoint, f"{address}: block {start_block} alone exceeds the window"
            )
        start_block = last_block


def _identity(record: Any) -> tuple[Any, ...]:
    """A record's key: (hash, logIndex) for a token transfer, the hash for a transaction.

    Etherscan's logIndex is the key within a transaction; without it (older answers) the
    record minus the fields that change between calls (``confirmations``) stands in.
    """
    if not isinstance(record, dict):
        return (json.dumps(record, sort_keys=True),)
    if record.get("logIndex") not in (None, ""):
        return (record.get("hash"), str(record["logIndex"]))
    if "tokenSymbol" not in record:
        return (record.get("hash"),)
    stable = {k: v for k, v in record.items() if k != "confirmations"}
    return (record.get("hash"), json.dumps(stable, sort_keys=True))


def _fill_log_index(rows: list[dict[str, Any]]) -> None:
    """``log_index`` from the API's ``logIndex``, else the transfer's rank within its
    transaction (Etherscan lists a transaction's transfers in log order)."""
    rank: Counter[str] = Counter()
    for row in rows:
        ordinal = rank[row["hash"]]
        rank[row["hash"]] += 1
        given = row.pop("logIndex")
        row["log_index"] = given if given is not None else ordinal


def _list(result: Any, endpoint: str) -> list[Any]:
    if not isinstance(result, list):
        raise IngestionError(endpoint, "'result' is not a list")
    return result


def _wei(result: Any, endpoint: str, address: str) -> Any:
    """A balance string in wei as Decimal, or an error naming the address."""
    try:
        return convert(result, "wei")
    except (TypeError, ValueError, ArithmeticError):
        raise IngestionError(
            endpoint, f"{address}: balance {str(result)[:40]!r} is not a number"
        ) from None
