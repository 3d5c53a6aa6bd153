{%- set l_days = var('icebox_ohlc_l_days') | int -%}
{%- set c_days = var('icebox_ohlc_c_days') | int -%}

with

token_prices as (
    select * from {{ ref('int_token_prices_daily') }}
),

approved_tokens as (
    select * from {{ ref('approved_tokens') }}
),

tracked_tokens as (
    select * from {{ ref('tracked_tokens') }}
),

-- The icebox watches every token approved at some point up to the run date; episodes come
-- from the price history alone, so they do not change when an approval ends.
watched_tokens as (
    select distinct {{ normalize_token_symbol('token_symbol') }} as token_symbol
    from approved_tokens
    where added_at <= {{ run_date() }}
),

stablecoin_pegs as (
    select
        {{ normalize_token_symbol('token_symbol') }} as token_symbol,
        peg_usd
    from tracked_tokens
    where is_stablecoin and peg_usd > 0
),

watched_prices as (
    select
        token_prices.token_symbol,
        token_prices.price_date,
        token_prices.low_usd,
        token_prices.close_usd
    from token_prices
    inner join watched_tokens
        on token_prices.token_symbol = watched_tokens.token_symbol
),

-- Signal L compares the lowest low of the window D-(l_days-1)..D with the close of the day
-- before the window (D-l_days): that close is outside the window, so the rule can trigger.
window_lows as (
    select
        token_symbol,
        price_date,
        low_usd,
        close_usd,
        min(low_usd) over (
            partition by token_symbol
            order by price_date
            range between interval '{{ l_days - 1 }} days' preceding and current row
        ) as window_low_usd
    from watched_prices
),

compared as (
    select
        window_lows.token_symbol,
        window_lows.price_date,
        window_lows.close_usd,
        window_lows.window_low_usd,
        before_window.price_date as l_reference_date,
        before_window.close_usd as l_reference_close_usd,
        lagged.price_date as c_reference_date,
        lagged.close_usd as c_reference_close_usd,
        stablecoin_pegs.peg_usd,
        100 * (before_window.close_usd - window_lows.window_low_usd)
        / nullif(before_window.close_usd, 0) as l_drop_pct,
        100 * (lagged.close_usd - window_lows.close_usd)
        / nullif(lagged.close_usd, 0) as c_drop_pct,
        100 * abs(window_lows.close_usd - stablecoin_pegs.peg_usd)
        / stablecoin_pegs.peg_usd as depeg_pct
    from window_lows
    left join watched_prices as before_window
        on
            window_lows.token_symbol = before_window.token_symbol
            and window_lows.price_date - {{ l_days }} = before_window.price_date
    left join watched_prices as lagged
        on
            window_lows.token_symbol = lagged.token_symbol
            and window_lows.price_date - {{ c_days }} = lagged.price_date
    left join stablecoin_pegs
        on window_lows.token_symbol = stablecoin_pegs.token_symbol
),

flagged as (
    select
        *,
        coalesce(l_drop_pct > {{ var('icebox_ohlc_l_pct') }}, false) as has_signal_l,
        coalesce(c_drop_pct > {{ var('icebox_ohlc_c_pct') }}, false) as has_signal_c,
        coalesce(depeg_pct > {{ var('icebox_depeg_pct') }}, false) as has_signal_depeg
    from compared
),

final as (
    select
        token_symbol,
        price_date,
        close_usd,
        window_low_usd,
        l_reference_date,
        l_reference_close_usd,
        l_drop_pct,
        c_reference_date,
        c_reference_close_usd,
        c_drop_pct,
        peg_usd,
        depeg_pct,
        has_signal_l,
        has_signal_c,
        has_signal_depeg,
        has_signal_l or has_signal_c or has_signal_depeg as has_signal,
        concat_ws(
            '; ',
            case
                when has_signal_l
                    then format(
                        'L: lowest low %s over the %s days to %s is %s%% below the %s close %s (> %s%%)',  -- noqa: LT05
                        round(window_low_usd, 4), {{ l_days }}, price_date,
                        round(l_drop_pct, 2), l_reference_date, round(l_reference_close_usd, 4),
                        {{ var('icebox_ohlc_l_pct') }}
                    )
            end,
            case
                when has_signal_c
                    then format(
                        'C: close %s is %s%% below the %s close %s (> %s%%)',
                        round(close_usd, 4), round(c_drop_pct, 2), c_reference_date,
                        round(c_reference_close_usd, 4), {{ var('icebox_ohlc_c_pct') }}
                    )
            end,
            case
                when has_signal_depeg
                    then format(
                        'depeg: close %s is %s%% off the %s peg (> %s%%)',
                        round(close_usd, 4), round(depeg_pct, 2), peg_usd,
                        {{ var('icebox_depeg_pct') }}
                    )
            end
        ) as signal_reason
    from flagged
)

select * from final
