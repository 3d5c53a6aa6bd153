"""The decision path shared by the daily run and the backtest.

A decision date's market (:mod:`.market`: the pools as the decision sees them, the day's gas
and the lists in force) becomes an optimization problem by one pure function
(:mod:`.problem`), priced by one gas rule (:mod:`.costs`), and a policy (:mod:`.policies`)
turns the problem into a plan. The daily run builds the market from the marts of its run
date; the backtest from its panels of the recorded history, day by day. Whatever either
caller does before or after, the step from market to plan is the same code.
"""
