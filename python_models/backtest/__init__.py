"""The backtest: the strategy replayed over past days, without look-ahead, against baselines.

``yieldopt backtest`` (:mod:`.command`) gets the database ready (:mod:`.prepare`: the
by-day dbt models for the range; ``--replay`` data is loaded by ``flows.backtest_data``
first), reads the range once
(:mod:`.inputs`), computes every day's forecasts and costs as panels (:mod:`.forecasts`,
:mod:`.trade_days`), then simulates day by day (:mod:`.simulate`): the strategy decides with
the daily flow's optimizer, the baselines (:mod:`.baselines`) with their rules, every plan is
paid as written and every position earns its pool's actual APY (:mod:`.portfolio`). Each day
is written to the ``backtest`` schema (:mod:`.run_tables`) and to CSV files
(:mod:`.outputs`) as it is computed; the report (:mod:`.performance`) and ``--sweep`` grids (:mod:`.sweep`) follow.
The method and its choices are in README.md next to this file.
"""
