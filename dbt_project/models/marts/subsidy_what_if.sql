-- What-if: had the municipality offered a rent subsidy of X kr. a month, how many of the
-- dwellings returned because the rent was too high (return reason husleje_for_hoej) would have
-- been taken, and at what yearly cost? Per subsidy level X (0, step, ... max; vars
-- subsidy_what_if_step_kr and subsidy_what_if_max_kr) and year received.
--   Prevented: the dwelling's subsidy needed (affordability_gap.subsidy_needed_kr: the gap
--   between the rent and the highest ability to pay among the citizens waiting for that type)
--   is at most X. Dwellings with nobody waiting are never prevented.
--   Yearly cost: X x 12 for each prevented return (the subsidy as a flat amount), and, for
--   comparison, the subsidy needed x 12 (topped up only as far as needed).

with

levels as (

    select cast(level as integer) as subsidy_kr_per_month
    from range(
        0,
        {{ var('subsidy_what_if_max_kr') }} + {{ var('subsidy_what_if_step_kr') }},
        {{ var('subsidy_what_if_step_kr') }}
    ) as series(level)

),

rent_returns as (

    select
        year(received_on) as received_year,
        subsidy_needed_kr
    from {{ ref('affordability_gap') }}
    where was_returned_for_rent

),

years as (

    select distinct received_year from rent_returns

),

what_if as (

    select
        levels.subsidy_kr_per_month,
        years.received_year,
        count(rent_returns.received_year) as rent_returns,
        count(rent_returns.received_year) filter (
            where rent_returns.subsidy_needed_kr <= levels.subsidy_kr_per_month
        ) as returns_prevented,
        coalesce(sum(rent_returns.subsidy_needed_kr) filter (
            where rent_returns.subsidy_needed_kr <= levels.subsidy_kr_per_month
        ), 0) * 12 as yearly_cost_needed_kr

    from levels
    cross join years
    left join rent_returns on rent_returns.received_year = years.received_year
    group by all

),

costed as (

    select
        subsidy_kr_per_month,
        received_year,
        rent_returns,
        returns_prevented,
        returns_prevented / nullif(rent_returns, 0) as share_prevented,
        returns_prevented * subsidy_kr_per_month * 12 as yearly_cost_flat_kr,
        yearly_cost_needed_kr

    from what_if

)

select * from costed
