"""What following the product earned, from hand-built marts: the product's realized gross and
net APY over the recorded days, the yardsticks over the same days, and "n/a" when short."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from reporting.report_marts import UUID, Marts

from python_models.reporting.data import load_report
from python_models.reporting.message import message_payload, summary_text
from python_models.reporting.realized import WINDOWS, Realized, load_realized

DAY = dt.date(2025, 6, 5)
WEEK = [DAY - dt.timedelta(days=back) for back in range(7, 0, -1)]  # 05-29 … 06-04
MONTH_FIRST = dt.date(2025, 6, 1)
HELD = "11111111-1111-4111-8111-111111111111"
AAVE = "aa7e0000-0000-4000-8000-00000000aa7e"
# The benchmark's candidates: (pool, project, symbol, TVL on 05-29, TVL on 06-01, APY %)
CANDIDATES = [
    ("a0000000-0000-4000-8000-000000000001", "spark", "USDC", 300, 300, 5.0),
    ("b0000000-0000-4000-8000-000000000002", "compound-v3", "USDC", 200, 200, 4.0),
    (AAVE, "aave-v3", "USDC", 100, 100, 3.0),
    ("c0000000-0000-4000-8000-000000000003", "morpho-blue", "STEAKUSDC", 50, 50, 6.0),
    ("d0000000-0000-4000-8000-000000000004", "euler-v2", "USDT", 40, 40, 2.0),
    ("e0000000-0000-4000-8000-000000000005", "fluid-lending", "USDC", 10, 500, 10.0),
]
# Larger, but not in the benchmark: not stablecoins, not on Ethereum.
OUTSIDE = [
    ("f0000000-0000-4000-8000-000000000006", "lido", "STETH", "Ethereum", False, 5000),
    ("90000000-0000-4000-8000-000000000007", "aave-v3", "USDC", "Base", True, 5000),
]


def _rate(apy_pct: float) -> float:
    return (1 + apy_pct / 100) ** (1 / 365) - 1


def _apy(mean_daily_rate: float) -> float:
    return ((1 + mean_daily_rate) ** 365 - 1) * 100


def _record_days(marts: Marts, days: list[dt.date]) -> None:
    """A run each day: AUM 2,000, 1,000 of it in HELD earning 5 % (8 % on 06-02); costs on
    the first day only."""
    first = days[0] if days else None
    for day in [*days, DAY]:
        run = f"run-{day}"
        marts.insert(
            "optimization_run_summary",
            [
                {
                    "run_id": run,
                    "run_date": day,
                    "status": "SUCCESS",
                    "aum_usd": 2000,
                    "gas_cost_usd": 1.0 if day == first else 0,
                    "conversion_cost_usd": 0.5 if day == first else None,
                }
            ],
        )
        marts.insert(
            "allocation_report",
            [
                {
                    "run_id": run,
                    "run_date": day,
                    "pool_id": HELD,
                    "pool_label": "spark USDC (Ethereum)",
                    "allocation_usd": 1000,
                    "previous_usd": 1000,
                    "earned_apy_pct": 8.0 if day == dt.date(2025, 6, 2) else 5.0,
                    "exit_reasons": [],
                }
            ],
        )


def _market(marts: Marts) -> None:
    """Pools on the two decision dates the benchmark chooses on, and their daily APYs."""
    rows, metrics, labels = [], [], []
    for pool, project, symbol, tvl_first, tvl_month, apy in CANDIDATES:
        for day, tvl in ((WEEK[0], tvl_first), (MONTH_FIRST, tvl_month)):
            rows.append(
                {"pool_id": pool, "eligibility_date": day, "project": project, "chain": "Ethereum",
                 "symbol": symbol, "tvl_usd": tvl, "category": "lending",
                 "is_usd_stablecoin_pool": True, "failed_checks": []}
            )  # fmt: skip
        metrics += [{"pool_id": pool, "metric_date": day, "apy_pct": apy} for day in WEEK]
        labels.append({"pool_id": pool, "pool_label": f"{project} {symbol} (Ethereum)"})
    for pool, project, symbol, chain, stable, tvl in OUTSIDE:
        for day in (WEEK[0], MONTH_FIRST):
            rows.append(
                {"pool_id": pool, "eligibility_date": day, "project": project, "chain": chain,
                 "symbol": symbol, "tvl_usd": tvl, "category": "lending",
                 "is_usd_stablecoin_pool": stable, "failed_checks": []}
            )  # fmt: skip
        metrics += [{"pool_id": pool, "metric_date": day, "apy_pct": 50.0} for day in WEEK]
    marts.insert("pool_eligibility", rows)
    marts.insert("pool_daily_metrics", metrics)
    marts.insert("pool_labels", labels)


def test_a_recorded_week_against_the_yardsticks(marts: Marts) -> None:
    _record_days(marts, WEEK)
    _market(marts)
    week, month, quarter = load_realized(marts.conn, DAY)

    daily_yield = [1000 * _rate(8.0 if day == dt.date(2025, 6, 2) else 5.0) for day in WEEK]
    assert (week.days, week.recorded_days, week.complete) == (7, 7, True)
    assert week.gross_apy_pct == pytest.approx(_apy(sum(daily_yield) / (7 * 2000)))
    assert week.net_apy_pct == pytest.approx(_apy((sum(daily_yield) - 1.5) / (7 * 2000)))

    # Aave v3 USDC on Ethereum (not the larger one on Base) at 3 % every day
    assert week.yardstick_apy_pct["aave_v3_usdc"] == pytest.approx(3.0)
    assert week.yardstick_labels["aave_v3_usdc"] == "aave-v3 USDC (Ethereum)"
    # the top five by TVL on 05-29 for three days, re-chosen on 06-01 for four (fluid in,
    # euler out); weighted by TVL
    apy = {pool: rate for pool, *_, rate in CANDIDATES}
    tvl_first = {pool: tvl for pool, _, _, tvl, _, _ in CANDIDATES[:5]}
    tvl_month = {pool: tvl for pool, _, _, _, tvl, _ in CANDIDATES if pool != CANDIDATES[4][0]}

    def basket_rate(weights: dict[str, float]) -> float:
        return sum(w * _rate(apy[pool]) for pool, w in weights.items()) / sum(weights.values())

    expected = _apy((3 * basket_rate(tvl_first) + 4 * basket_rate(tvl_month)) / 7)
    assert week.yardstick_apy_pct["benchmark_top5"] == pytest.approx(expected)

    assert (month.recorded_days, month.complete, month.gross_apy_pct) == (7, False, None)
    assert (quarter.days, quarter.recorded_days) == (90, 7)


def test_the_message_shows_each_window_or_why_it_cannot(marts: Marts) -> None:
    _record_days(marts, WEEK)
    _market(marts)
    report = load_report(marts.conn, DAY)
    text = json.dumps(message_payload(report)["blocks"], ensure_ascii=False)
    week = report.realized[0]
    assert (
        f"• 7 days: {week.gross_apy_pct:.2f}% gross, {week.net_apy_pct:.2f}% net · "
        f"aave-v3 USDC (Ethereum) 3.00% (net {week.net_apy_pct - 3:+.2f} pp) · "
        "benchmark top 5 (TVL-weighted)"
    ) in text
    assert "• 30 days: n/a (7 of 30 days recorded)" in text
    assert "• 90 days: n/a (7 of 90 days recorded)" in text
    assert f"7-day net APY {week.net_apy_pct:.2f}% vs aave-v3 USDC (Ethereum) 3.00%" in (
        summary_text(report)
    )
    assert not UUID.search(text)


def test_a_fresh_database_with_one_run_says_n_a(marts: Marts) -> None:
    _record_days(marts, [])
    realized = load_realized(marts.conn, DAY)
    assert realized == [Realized(days, 0) for days in WINDOWS]
    text = json.dumps(message_payload(load_report(marts.conn, DAY))["blocks"])
    for days in WINDOWS:
        assert f"{days} days: n/a (0 of {days} days recorded)" in text


def test_a_gap_in_the_record_is_counted_not_filled(marts: Marts) -> None:
    _record_days(marts, [day for day in WEEK if day != dt.date(2025, 6, 1)])
    week = load_realized(marts.conn, DAY)[0]
    assert (week.recorded_days, week.complete, week.net_apy_pct) == (6, False, None)
