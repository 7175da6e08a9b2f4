-- Affordability gap: one row per received dwelling, its rent (excl. utilities, as the ability
-- to pay is assessed) against the ability to pay of the citizens waiting for that dwelling type
-- on the day it was received.
--   Waiting: a citizen with an allocation case for the same dwelling type whose waiting window
--   (int_allocations_windowed: from the recommendation day, inclusive, to the offer day or the
--   cancellation, exclusive) contains the day the dwelling was received. A citizen with several
--   such cases counts once, with the ability to pay of the most recent recommendation.
--   Able to pay: ability to pay >= rent.
--   Subsidy needed: the smallest monthly subsidy that lets at least one waiting citizen pay
--   (rent - the highest ability to pay, at least 0); null when nobody was waiting. Also the
--   subsidy that lets the median waiting citizen pay.

with

dwellings as (

    select * from {{ ref('int_dwellings_tracked') }}

),

cases as (

    select * from {{ ref('int_allocations_windowed') }}

),

-- Every dwelling of one type received on one day has the same waiting citizens, so each such
-- pool is gathered once (memory grows with days x waiting citizens, not dwellings x citizens),
-- and each dwelling then counts the abilities to pay in its pool that reach its rent.
pool_days as (

    select distinct dwelling_type, received_on from dwellings

),

waiting as (

    select
        pool_days.dwelling_type,
        pool_days.received_on,
        cases.cpr_pseudonym,
        arg_max(cases.ability_to_pay_kr, (cases.recommended_on, cases.allocation_id))
            as ability_to_pay_kr

    from pool_days
    inner join cases
        on cases.needed_dwelling_type = pool_days.dwelling_type
        and cases.waiting_from <= pool_days.received_on
        and (cases.waiting_until is null or cases.waiting_until > pool_days.received_on)
    group by pool_days.dwelling_type, pool_days.received_on, cases.cpr_pseudonym

),

pools as (

    select
        dwelling_type,
        received_on,
        count(*) as waiting_citizens,
        median(ability_to_pay_kr) as ability_to_pay_median_kr,
        max(ability_to_pay_kr) as ability_to_pay_max_kr,
        list(ability_to_pay_kr) as abilities_to_pay

    from waiting
    group by dwelling_type, received_on

),

pooled as (

    select
        dwellings.dwelling_id,
        pools.waiting_citizens,
        len(list_filter(pools.abilities_to_pay, a -> a >= dwellings.rent_kr))
            as waiting_citizens_able_to_pay,
        pools.ability_to_pay_median_kr,
        pools.ability_to_pay_max_kr

    from dwellings
    inner join pools
        on dwellings.dwelling_type = pools.dwelling_type
        and dwellings.received_on = pools.received_on

),

gap as (

    select
        dwellings.dwelling_id,
        dwellings.received_on,
        dwellings.received_month,
        dwellings.district,
        dwellings.housing_organisation,
        dwellings.department_id,
        dwellings.dwelling_type,
        dwellings.rent_class,
        dwellings.rent_kr,
        dwellings.rent_with_utilities_kr,
        dwellings.outcome,
        dwellings.return_reason,
        dwellings.was_returned and dwellings.return_reason = 'husleje_for_hoej'
            as was_returned_for_rent,
        coalesce(pooled.waiting_citizens, 0) as waiting_citizens,
        coalesce(pooled.waiting_citizens_able_to_pay, 0) as waiting_citizens_able_to_pay,
        pooled.waiting_citizens_able_to_pay / nullif(pooled.waiting_citizens, 0)
            as share_able_to_pay,
        pooled.ability_to_pay_median_kr,
        pooled.ability_to_pay_max_kr,
        -- (DuckDB's greatest() skips nulls, so nobody waiting is kept null explicitly)
        case
            when pooled.ability_to_pay_max_kr is not null
                then greatest(dwellings.rent_kr - pooled.ability_to_pay_max_kr, 0)
        end as subsidy_needed_kr,
        case
            when pooled.ability_to_pay_median_kr is not null
                then greatest(dwellings.rent_kr - pooled.ability_to_pay_median_kr, 0)
        end as subsidy_needed_median_kr

    from dwellings
    left join pooled on dwellings.dwelling_id = pooled.dwelling_id

)

select * from gap
