"""One module per API whose answers depend on the plan the server acts as (``replay.plans``):
CoinMarketCap, Etherscan and DeFiLlama's coins API. DeFiLlama yields and EthGasTracker are
answered by ``replay.recordings`` itself."""
