"""Which wallet balances step 4 asks Etherscan for, and which the transfers already give.

Every call of a free key costs a third of a second (3 calls/s), so step 4 asks only for what
the loaded transfers cannot give:

- **ERC-20 balances of the wallets are derived**: a wallet's balance of a token is Σ inbound
  − Σ outbound of its ``account/tokentx`` values for that contract since its first transfer,
  as long as every change of the balance is an ERC-20 ``Transfer`` log (what ``tokentx``
  lists, mints from and burns to 0x0 included). That holds for the tokens tracked today
  (USDC, USDT, DAI, USDS, USDe, PYUSD, GHO, FRAX, crvUSD, WBTC and the ERC-4626 shares sUSDe
  and sDAI, whose deposits mint and redemptions burn by Transfer logs). The transfers are
  loaded whole (``_paged`` walks block ranges past the 10,000-row window, or stops the step),
  and the ledger (dbt ``daily_ledger``) sums them: these balances cost no call.
- **One ``account/tokenbalance`` call per wallet stays** for a token of
  :data:`CALLED_TOKENS`, whose balances change without a Transfer log, and for a token whose
  summed transfers fall below zero at some block: then the transfers do not account for
  the balance (a history that misses transfers, or a token that moves balances without
  logs), and the chain's answer is taken, with a warning.
- **ETH balances: one ``account/balancemulti`` call per 20 wallets.** Summing ``txlist``
  would miss the ETH a contract pays the wallet (internal transactions: a WETH unwrap, a
  protocol withdrawing in ETH), beacon withdrawals and rewards; ``txlistinternal`` would
  cost a paged call per wallet, the balances of 20 wallets cost one.
- **Pool reserve contracts are always called**, for the pool's own tokens only: they are
  not ours, and their transfers (millions) are never loaded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Tracked-token contracts whose wallet balance is always asked of account/tokenbalance,
# with why summing tokentx cannot give it. A rebasing token added to the seed
# tracked_tokens (aTokens, cTokens v3, AMPL, ...) belongs here too.
CALLED_TOKENS: dict[str, str] = {
    # WETH9: deposit() and withdraw() mint and burn with Deposit/Withdrawal logs and no
    # Transfer log, so tokentx never lists a wrap or an unwrap (gnosis/canonical-weth).
    "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2": "WETH9 wraps and unwraps emit no Transfer",
    # Lido stETH: balances are shares x the pooled-ETH rate; they grow every day with the
    # oracle report without any Transfer log.
    "0xae7ab96520de3a18e5e111b5eaab095312d7fe84": "stETH balances rebase without Transfer",
}


@dataclass(frozen=True)
class Running:
    """A derived balance (base units) and the lowest it went at a block boundary."""

    balance: int = 0
    lowest: int = 0
    lowest_block: int | None = None

    def after(self, block: int, delta: int) -> Running:
        """The balance once ``block`` moved it by ``delta``."""
        balance = self.balance + delta
        if balance < self.lowest:
            return Running(balance, balance, block)
        return Running(balance, self.lowest, self.lowest_block)


def running_balances(
    address: str, transfers: Iterable[Mapping[str, Any]], start: Mapping[str, Running]
) -> dict[str, Running]:
    """``start`` (what the loaded transfers give, per token contract) carried through
    ``transfers`` (tokentx rows later than those, API field names, values converted).

    A block's transfers are netted before the balance is checked: Etherscan lists a
    block's logs in its own order, and only a whole block is a state of the chain.
    """
    deltas: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in transfers:
        sign = (str(row["to"]).lower() == address) - (str(row["from"]).lower() == address)
        if sign:
            contract = str(row["contractAddress"]).lower()
            deltas[contract][int(row["blockNumber"])] += sign * int(row["value"])
    result = dict(start)
    for contract, by_block in deltas.items():
        running = result.get(contract, Running())
        for block in sorted(by_block):
            running = running.after(block, by_block[block])
        result[contract] = running
    return result


def reason_to_call(contract: str, running: Running | None) -> tuple[str, bool] | None:
    """Why a wallet's balance of ``contract`` is asked of tokenbalance, and whether that is
    worth a warning (the transfers contradict themselves); None when it is derived."""
    if contract in CALLED_TOKENS:
        return CALLED_TOKENS[contract], False
    if running is not None and running.lowest < 0:
        return (
            f"the summed transfers fall to {running.lowest} at block {running.lowest_block}: "
            "they miss part of the history or the token moves balances without Transfer logs",
            True,
        )
    return None


# Per wallet and token contract, over the loaded token transfers: the balance they sum to,
# and the lowest running balance at a block boundary (with its block).
LOADED_BALANCES_SQL = """
with moves as (
    select
        lower(address) as wallet,
        lower(contract_address) as token,
        block_number,
        sum(
            case when lower("to") = lower(address) then value else 0 end
            - case when lower("from") = lower(address) then value else 0 end
        ) as delta
    from raw_etherscan.token_transfers
    group by 1, 2, 3
),

running as (
    select
        wallet,
        token,
        block_number,
        sum(delta) over (partition by wallet, token order by block_number) as balance
    from moves
)

select
    wallet,
    token,
    (array_agg(balance order by block_number desc))[1] as balance,
    least(min(balance), 0) as lowest,
    (array_agg(block_number order by balance, block_number))[1] as lowest_block
from running
group by wallet, token
"""


def loaded_balances(rows: Iterable[tuple[Any, ...]]) -> dict[str, dict[str, Running]]:
    """``wallet -> token -> Running`` from the rows of :data:`LOADED_BALANCES_SQL`."""
    result: dict[str, dict[str, Running]] = defaultdict(dict)
    for wallet, token, balance, lowest, lowest_block in rows:
        result[wallet][token] = Running(
            int(balance), int(lowest), int(lowest_block) if lowest < 0 else None
        )
    return dict(result)
