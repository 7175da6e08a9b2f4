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

waiting as (

    select
        dwellings.dwelling_id,
        cases.cpr_pseudonym,
        arg_max(cases.ability_to_pay_kr, (cases.recommended_on, cases.allocation_id))
            as ability_to_pay_kr

    from dwellings
    inner join cases
        on cases.needed_dwelling_type = dwellings.dwelling_type
        and cases.waiting_from <= dwellings.received_on
        and (cases.waiting_until is null or cases.waiting_until > dwellings.received_on)
    group by dwellings.dwelling_id, cases.cpr_pseudonym

),

pooled as (

    select
        waiting.dwelling_id,
        count(*) as waiting_citizens,
        count(*) filter (where waiting.ability_to_pay_kr >= dwellings.rent_kr)
            as waiting_citizens_able_to_pay,
        median(waiting.ability_to_pay_kr) as ability_to_pay_median_kr,
        max(waiting.ability_to_pay_kr) as ability_to_pay_max_kr

    from waiting
    inner join dwellings on waiting.dwelling_id = dwellings.dwelling_id
    group by waiting.dwelling_id

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
