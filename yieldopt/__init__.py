"""DeFi Yield Optimizer: shared plumbing (database, configuration, command line)."""
