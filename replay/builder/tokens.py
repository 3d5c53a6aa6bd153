"""The tracked tokens (the ``tracked_tokens`` seed) and the token facts the builder needs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    """A tracked token: the seed row plus how its CoinMarketCap history is built."""

    symbol: str  # as the seed spells it (normalized, upper case)
    cmc_symbol: str  # as CoinMarketCap spells it
    name: str
    cmc_id: int
    is_stablecoin: bool
    contract: str | None
    decimals: int


TOKENS = (
    Token("USDC", "USDC", "USDC", 3408, True, "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", 6),
    Token(
        "USDT", "USDT", "Tether USDt", 825, True, "0xdac17f958d2ee523a2206206994597c13d831ec7", 6
    ),
    Token("DAI", "DAI", "Dai", 4943, True, "0x6b175474e89094c44da98b954eedeac495271d0f", 18),
    Token("ETH", "ETH", "Ethereum", 1027, False, None, 18),
    Token("WETH", "WETH", "WETH", 2396, False, "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2", 18),
    Token("BTC", "BTC", "Bitcoin", 1, False, None, 8),
    Token(
        "WBTC",
        "WBTC",
        "Wrapped Bitcoin",
        3717,
        False,
        "0x2260fac5e5542a773aa44fbcfedf7c193bc2c599",
        8,
    ),
    Token("USDS", "USDS", "USDS", 33039, True, "0xdc035d45d973e3ec169d2276ddab16f1e407384f", 18),
    Token(
        "USDE", "USDe", "Ethena USDe", 29470, True, "0x4c9edd5852cd905f086c759e8383e09bff1e68b3", 18
    ),
    Token(
        "SUSDE",
        "sUSDe",
        "Ethena Staked USDe",
        29471,
        False,
        "0x9d39a5de30e57443bff2a8307a4256c8797a3497",
        18,
    ),
    Token(
        "SDAI",
        "sDAI",
        "Savings Dai",
        25113,
        False,
        "0x83f20f44975d03b1b09e64809b757c47f942beea",
        18,
    ),
    Token(
        "PYUSD", "PYUSD", "PayPal USD", 27772, True, "0x6c3ea9036406852006290770bedfcaba0e23a0e8", 6
    ),
    Token("GHO", "GHO", "GHO", 23508, True, "0x40d16fc0246ad3160ccc09b8d0d3a2cd28ae6c2f", 18),
    Token("FRAX", "FRAX", "Frax", 6952, True, "0x853d955acef822db058eb8505911ed77f175b99e", 18),
    Token(
        "CRVUSD", "crvUSD", "crvUSD", 25122, True, "0xf939e0a03fb07f59a73314e73794be0e57ac1b4e", 18
    ),
)
TOKEN_BY_SYMBOL = {t.symbol: t for t in TOKENS}
# Other well-known Ethereum token contracts, used only to fill underlyingTokens of pools.
EXTRA_ADDRESSES = {
    "LINK": "0x514910771af9ca656af840dff83e8264ecf986ca",
    "UNI": "0x1f9840a85d5af5bf1d1762f925bdaddc4201f984",
    "STETH": "0xae7ab96520de3a18e5e111b5eaab095312d7fe84",
    "WSTETH": "0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0",
    "SUSDS": "0xa3931d71877c0e7a3148cb7eb4463524fec27fbd",
}
STABLE_SYMBOLS = {
    *(t.symbol for t in TOKENS if t.is_stablecoin),
    *("SUSDE", "SDAI", "SUSDS", "SCRVUSD", "USDC.E", "USDT.E", "DAI.E", "USDBC", "LUSD", "TUSD"),
    *("USDP", "GUSD", "USD0", "USD0++", "USDTB", "USDM", "AUSD", "USDF", "FDUSD", "RLUSD", "USDX"),
    *("EUSDE", "WXDAI", "XDAI", "MIM", "DOLA", "SUSD", "ALUSD", "BOLD", "USR", "DEUSD", "USDA"),
}
