"""The demo treasury wallet's Etherscan account (generated; see ``recordings/README.md``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from replay.builder.common import END, hex_id, rng_for
from replay.builder.tokens import TOKEN_BY_SYMBOL

WALLET_START = dt.date(2024, 6, 1)
WALLET = "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"
# Ethereum block 20,000,000 was produced on 2024-05-13 at about 14:24 UTC; 12 s slots after it.
ANCHOR_BLOCK, ANCHOR_TS, SLOT_SECONDS = 20_000_000, 1_715_610_240, 12
BLOCKS_PER_DAY = 86_400 // SLOT_SECONDS

COUNTERPARTIES = {  # deterministic stand-ins for the wallet's counterparties
    name: hex_id("counterparty", name, length=40)
    for name in ("exchange", "otc-desk", "fund-lp", "payroll", "vendor", "aave-pool")
}
END_BLOCK = ANCHOR_BLOCK + (int(pd.Timestamp(END).timestamp()) + 86_399 - ANCHOR_TS) // SLOT_SECONDS
TRANSFER_SIG = "transfer(address _to, uint256 _value)"
APPROVE_SIG = "approve(address spender, uint256 amount)"


@dataclass
class Event:
    """One wallet event before it becomes txlist/tokentx records."""

    when: int  # unix seconds
    kind: str  # "eth_in", "eth_out", "eth_out_failed", "token_in", "token_out", "approve"
    token: str | None
    amounts: list[int]  # base units; several for a batch payout (one log each)
    counterparty: str


def block_of(ts: int) -> int:
    return ANCHOR_BLOCK + (ts - ANCHOR_TS) // SLOT_SECONDS


def wallet_events() -> list[Event]:
    """A treasury's year: opening deposits in June 2024, monthly inflows, a few payments,
    approvals and one failed send. Amounts are random with a fixed seed."""
    rng = rng_for("wallet")
    start = int(pd.Timestamp(WALLET_START).timestamp())
    span = int(pd.Timestamp(END).timestamp()) - start
    events = [
        Event(
            start + 2 * 86_400 + 3_600 * 10,
            "eth_in",
            None,
            [60 * 10**18],
            COUNTERPARTIES["exchange"],
        ),
        Event(
            start + 3 * 86_400 + 3_600 * 14,
            "token_in",
            "USDC",
            [900_000 * 10**6],
            COUNTERPARTIES["exchange"],
        ),
        Event(
            start + 3 * 86_400 + 3_600 * 15,
            "token_in",
            "USDT",
            [500_000 * 10**6],
            COUNTERPARTIES["otc-desk"],
        ),
        Event(
            start + 4 * 86_400 + 3_600 * 9,
            "token_in",
            "DAI",
            [300_000 * 10**18],
            COUNTERPARTIES["otc-desk"],
        ),
        Event(start + 5 * 86_400 + 3_600 * 16, "approve", "USDC", [0], COUNTERPARTIES["aave-pool"]),
    ]

    def moment() -> int:
        return start + 8 * 86_400 + int(rng.integers(0, span - 8 * 86_400))

    for symbol, count, low, high in (
        ("USDC", 9, 80_000, 260_000),
        ("USDT", 7, 60_000, 200_000),
        ("DAI", 5, 40_000, 140_000),
    ):
        scale = 10 ** TOKEN_BY_SYMBOL[symbol].decimals
        for _ in range(count):
            amount = int(rng.integers(low, high)) * scale + int(rng.integers(0, 100)) * scale // 100
            events.append(Event(moment(), "token_in", symbol, [amount], COUNTERPARTIES["fund-lp"]))
        for _ in range(2):
            amount = int(rng.integers(5_000, 40_000)) * scale
            events.append(Event(moment(), "token_out", symbol, [amount], COUNTERPARTIES["payroll"]))
    batch = [int(rng.integers(50_000, 120_000)) * 10**6, int(rng.integers(50_000, 120_000)) * 10**6]
    events.append(Event(moment(), "token_in", "USDC+USDT", batch, COUNTERPARTIES["fund-lp"]))
    events.append(Event(moment(), "token_in", "WETH", [10 * 10**18], COUNTERPARTIES["exchange"]))
    for _ in range(4):
        amount = int(rng.integers(15, 35)) * 10**18 + int(rng.integers(0, 10**4)) * 10**14
        events.append(Event(moment(), "eth_in", None, [amount], COUNTERPARTIES["exchange"]))
    for _ in range(2):
        events.append(
            Event(
                moment(),
                "eth_out",
                None,
                [int(rng.integers(1, 4)) * 10**18],
                COUNTERPARTIES["vendor"],
            )
        )
    events.append(Event(moment(), "eth_out_failed", None, [2 * 10**18], COUNTERPARTIES["vendor"]))
    events.append(Event(moment(), "approve", "USDT", [0], COUNTERPARTIES["aave-pool"]))
    return sorted(events, key=lambda e: e.when)


def abi_word(value: int | str) -> str:
    return (value[2:] if isinstance(value, str) else f"{value:x}").rjust(64, "0")


def wallet_records(gas_wei: pd.Series) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """txlist and tokentx records (real Etherscan field order, all values strings)."""
    rng = rng_for("wallet-gas")
    txs: list[dict[str, str]] = []
    transfers: list[dict[str, str]] = []
    nonce = 0
    for event in wallet_events():
        block = block_of(event.when)
        tx_hash = hex_id("tx", event.when, event.kind, event.token, *event.amounts)
        day = pd.Timestamp(dt.datetime.fromtimestamp(event.when, dt.UTC).date())
        gas_price = int(gas_wei[day] * rng.uniform(0.9, 1.3))
        from_wallet = event.kind in ("eth_out", "eth_out_failed", "token_out", "approve")
        token = TOKEN_BY_SYMBOL.get(event.token or "")
        if event.kind.startswith("eth"):
            gas_used, to, value, input_, method, function = (
                21_000,
                None,
                event.amounts[0],
                "0x",
                "0x",
                "",
            )
        elif event.kind == "approve":
            gas_used, value, method, function = (
                46_000 + int(rng.integers(0, 300)),
                0,
                "0x095ea7b3",
                APPROVE_SIG,
            )
            to, input_ = token.contract, "0x095ea7b3" + abi_word(event.counterparty) + "f" * 64  # type: ignore[union-attr]
        else:
            gas_used, value, method, function = (
                45_000 + int(rng.integers(0, 20_000)),
                0,
                "0xa9059cbb",
                TRANSFER_SIG,
            )
            to = token.contract if token else None  # type: ignore[union-attr]
            input_ = (
                "0xa9059cbb"
                + abi_word(event.counterparty if from_wallet else WALLET)
                + abi_word(event.amounts[0])
            )
        tx_nonce = nonce if from_wallet else int(rng.integers(10_000, 5_000_000))
        common = {
            "blockNumber": str(block),
            "timeStamp": str(event.when),
            "hash": tx_hash,
            "nonce": str(tx_nonce),
            "blockHash": hex_id("block", block),
            "transactionIndex": str(int(rng.integers(0, 250))),
        }
        cumulative = str(gas_used + int(rng.integers(100_000, 25_000_000)))
        if from_wallet or event.kind == "eth_in":
            failed = event.kind == "eth_out_failed"
            txs.append(
                common
                | {
                    "from": WALLET if from_wallet else event.counterparty,
                    "to": (to or event.counterparty) if from_wallet else WALLET,
                    "value": str(value),
                    "gas": str(int(gas_used * 1.3)),
                    "gasPrice": str(gas_price),
                    "isError": "1" if failed else "0",
                    "txreceipt_status": "0" if failed else "1",
                    "input": input_,
                    "contractAddress": "",
                    "cumulativeGasUsed": cumulative,
                    "gasUsed": str(gas_used),
                    "confirmations": str(END_BLOCK - block),
                    "methodId": method,
                    "functionName": function,
                }
            )
            nonce += from_wallet
        if event.kind in ("token_in", "token_out"):
            symbols = event.token.split("+")  # type: ignore[union-attr]
            for log_index, (symbol, amount) in enumerate(zip(symbols, event.amounts, strict=True)):
                meta = TOKEN_BY_SYMBOL[symbol]
                transfers.append(
                    common
                    | {
                        "from": WALLET if from_wallet else event.counterparty,
                        "contractAddress": meta.contract,  # type: ignore[dict-item]
                        "to": event.counterparty if from_wallet else WALLET,
                        "value": str(amount),
                        "tokenName": TOKEN_NAMES[symbol],
                        "tokenSymbol": symbol,
                        "tokenDecimal": str(meta.decimals),
                        "transactionIndex": common["transactionIndex"],
                        "logIndex": str(int(rng.integers(0, 200)) * 4 + log_index),
                        "gas": str(int(gas_used * 1.3)),
                        "gasPrice": str(gas_price),
                        "gasUsed": str(gas_used),
                        "cumulativeGasUsed": cumulative,
                        "input": "deprecated",
                        "confirmations": str(END_BLOCK - block),
                    }
                )
    return txs, transfers


TOKEN_NAMES = {
    "USDC": "USDC",
    "USDT": "Tether USD",
    "DAI": "Dai Stablecoin",
    "WETH": "Wrapped Ether",
}


def eth_balance(address: str, txs: list[dict[str, str]]) -> int:
    """Wei held after ``txs``: value moved by successful txs, gas paid by every sent tx."""
    balance = 0
    for tx in txs:
        ok = tx["isError"] == "0"
        if tx["to"] == address and ok:
            balance += int(tx["value"])
        if tx["from"] == address:
            balance -= int(tx["gasUsed"]) * int(tx["gasPrice"]) + (int(tx["value"]) if ok else 0)
    return balance


def token_balances(address: str, transfers: list[dict[str, str]]) -> dict[str, int]:
    """Raw units held per token contract after ``transfers`` (in minus out)."""
    balances: Counter[str] = Counter()
    for transfer in transfers:
        sign = (transfer["to"] == address) - (transfer["from"] == address)
        balances[transfer["contractAddress"]] += sign * int(transfer["value"])
    return dict(balances)


def check_never_negative(txs: list[dict[str, str]], transfers: list[dict[str, str]]) -> None:
    """A treasury cannot spend what it does not hold: every running balance stays >= 0."""
    for cut in sorted({int(r["blockNumber"]) for r in txs + transfers}):
        before = [t for t in txs if int(t["blockNumber"]) <= cut]
        if eth_balance(WALLET, before) < 0:
            raise ValueError(f"ETH balance negative at block {cut}")
        held = token_balances(WALLET, [t for t in transfers if int(t["blockNumber"]) <= cut])
        if any(v < 0 for v in held.values()):
            raise ValueError(f"token balance negative at block {cut}")


# --- Pool reserves (pair-ratio filter) ------------------------------------------------------
