"""``python -m replay.builder --data DIR [--out recordings] [--seeds dbt_project/seeds]``.

Writes every recording (replacing the generated folders) and the seeds ``tracked_tokens.csv``
and ``pool_reserve_contracts.csv``; two runs on the same data give byte-identical files.
"""

from __future__ import annotations

import argparse
import logging
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from core.paths import RECORDINGS_DIR, SEEDS_DIR
from replay.builder import charts, coins, gas, lendborrow, pools, prices, seeds, wallet
from replay.builder.coinmarketcap import cmc_payload
from replay.builder.common import END, write_json
from replay.builder.tokens import TOKENS
from replay.envelopes import defillama, etherscan

log = logging.getLogger("replay.builder")
FOLDERS = ("defillama", "coinmarketcap", "defillama_coins", "ethgastracker", "etherscan")


def build(data: Path, out: Path, seeds_dir: Path) -> dict[str, Any]:
    """Write every recording under ``out`` and the two seeds; a summary of what was built."""
    for folder in FOLDERS:
        shutil.rmtree(out / folder, ignore_errors=True)
    pool_charts = (
        charts.oblik_charts(data) | charts.uniswap_charts(data) | charts.scrvusd_chart(data)
    )
    for pool_id, chart in pool_charts.items():
        write_json(
            out / "defillama" / "chart" / f"{pool_id}.json.gz", defillama.success(chart["points"])
        )
    snapshot = pools.pools_snapshot(data, pool_charts)
    write_json(out / "defillama" / "pools.json.gz", defillama.success(snapshot))
    log.info("pools: %d records, %d charts", len(snapshot), len(pool_charts))
    lend_borrow = lendborrow.write_lendborrow(data, out)

    histories = prices.price_histories(data, susde_apy(pool_charts))
    for token in TOKENS:
        write_json(
            out / "coinmarketcap" / "ohlcv_historical" / f"{token.cmc_id}.json.gz",
            cmc_payload(token, histories[token.symbol]),
        )
    coins.write_coins(data, out / "defillama_coins", histories)
    closes = {s: float(h["close"].loc[: pd.Timestamp(END)].iloc[-1]) for s, h in histories.items()}

    gas_wei = gas.daily_gas_price(data)
    write_json(
        out / "etherscan" / "dailyavggasprice.json.gz", gas.etherscan_daily_avg_gas_price(gas_wei)
    )
    shutil.copyfile(
        data / "gas" / "etherscan_gasoracle_oblik_defi_analysis.json",
        out / "etherscan" / "gasoracle.json",
    )
    write_json(
        out / "ethgastracker" / "gas_average.json.gz",
        gas.gas_hourly(data, gas_wei, histories["ETH"]["close"]),
    )
    txs, transfers, held = write_wallet(out, gas_wei)
    for contract, balances in seeds.reserve_balances(snapshot, closes).items():
        for token_contract, raw in balances.items():
            write_json(
                out
                / "etherscan"
                / "accounts"
                / contract
                / "tokenbalance"
                / f"{token_contract}.json",
                etherscan.ok(str(raw)),
            )
    seeds.write_seeds(seeds_dir)
    summary = {
        "pools": len(snapshot),
        "charts": len(pool_charts),
        "lend_borrow": lend_borrow,
        "tokens": len(TOKENS),
        "wallet_txs": len(txs),
        "wallet_token_transfers": len(transfers),
        "wallet_eth": wallet.eth_balance(wallet.WALLET, txs) / 1e18,
        "wallet_tokens": {
            t.symbol: held[t.contract] / 10**t.decimals for t in TOKENS if t.contract in held
        },
    }
    log.info("summary: %s", summary)
    return summary


def susde_apy(pool_charts: dict[str, dict[str, Any]]) -> pd.Series:
    """The real daily APY of Ethena's sUSDe pool, which grows the generated sUSDe price."""
    susde = next(
        c
        for c in pool_charts.values()
        if (c["project"], c["symbol"], c["chain"]) == ("ethena-usde", "SUSDE", "Ethereum")
    )
    return pd.Series(
        [p["apy"] for p in susde["points"]],
        index=pd.to_datetime([p["timestamp"][:10] for p in susde["points"]]),
    )


def write_wallet(
    out: Path, gas_wei: pd.Series
) -> tuple[list[dict[str, str]], list[dict[str, str]], dict[str, int]]:
    """The demo wallet's txlist, tokentx, balance and token balances."""
    txs, transfers = wallet.wallet_records(gas_wei)
    wallet.check_never_negative(txs, transfers)
    account = out / "etherscan" / "accounts" / wallet.WALLET
    write_json(account / "txlist.json.gz", etherscan.ok(txs))
    write_json(account / "tokentx.json.gz", etherscan.ok(transfers))
    write_json(account / "balance.json", etherscan.ok(str(wallet.eth_balance(wallet.WALLET, txs))))
    held = wallet.token_balances(wallet.WALLET, transfers)
    for token in TOKENS:
        if token.contract:
            write_json(
                account / "tokenbalance" / f"{token.contract}.json",
                etherscan.ok(str(held.get(token.contract, 0))),
            )
    return txs, transfers, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder of the real source files")
    parser.add_argument("--out", type=Path, default=RECORDINGS_DIR, help="recordings folder")
    parser.add_argument("--seeds", type=Path, default=SEEDS_DIR, help="dbt seeds folder")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    build(args.data, args.out, args.seeds)


if __name__ == "__main__":
    main()
