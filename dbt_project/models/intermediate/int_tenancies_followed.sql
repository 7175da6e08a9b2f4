-- One row per tenancy: an allocation case that led to a move-in (moved_in_on is set), followed
-- from the shelter before it to the support around it and what came after it. Day 0 is the
-- move-in day. Everything is measured as of the report date (as_of_date()).
--   * housed as of the report date: moved in on or before it and not moved out on or before it;
--   * (support around the move-in: int_tenancies_supported; whether the home was kept after 6,
--     12 and 24 months: int_tenancies_retained; one definition of each, there);
--   * the shelter stay before: the latest stay of the same citizen that began on or before the
--     move-in day;
--   * back in a shelter after moving out: the first stay of the same citizen that began on or
--     after the move-out day (returns to homelessness).

with

allocations as (

    select * from {{ ref('int_allocations_windowed') }}
    where moved_in_on is not null

),

dwellings as (

    select * from {{ ref('int_dwellings_classified') }}

),

shelter_stays as (

    select * from {{ ref('stg_herbergsophold__shelter_stays') }}

),

shelter_before as (

    select
        allocations.allocation_id,
        arg_max(shelter_stays.shelter_stay_id, shelter_stays.entered_on) as prior_shelter_stay_id,
        max(shelter_stays.entered_on) as prior_shelter_entered_on

    from allocations
    inner join shelter_stays
        on allocations.cpr_pseudonym = shelter_stays.cpr_pseudonym
        and shelter_stays.entered_on <= allocations.moved_in_on
    group by allocations.allocation_id

),

shelter_after as (

    select
        allocations.allocation_id,
        arg_min(shelter_stays.shelter_stay_id, shelter_stays.entered_on) as next_shelter_stay_id,
        min(shelter_stays.entered_on) as next_shelter_entered_on

    from allocations
    inner join shelter_stays
        on allocations.cpr_pseudonym = shelter_stays.cpr_pseudonym
        and shelter_stays.entered_on >= allocations.moved_out_on
    group by allocations.allocation_id

),

followed as (

    select
        allocations.allocation_id,
        allocations.cpr_pseudonym,
        allocations.dwelling_id,
        dwellings.department_id,
        dwellings.housing_organisation,
        dwellings.district,
        dwellings.dwelling_type,
        dwellings.rent_class,
        dwellings.rent_kr,
        allocations.target_group,
        allocations.ability_to_pay_kr,
        allocations.needs_support,
        allocations.pilot_group,
        allocations.rent_subsidy_type,
        allocations.subsidy_kr_per_month,
        allocations.subsidy_ends_on,
        allocations.recommended_on,
        allocations.offered_on,
        allocations.moved_in_on,
        cast(date_trunc('month', allocations.moved_in_on) as date) as moved_in_month,
        allocations.moved_out_on,
        allocations.move_out_reason,

        allocations.moved_in_on <= {{ as_of_date() }}
            and (allocations.moved_out_on is null or allocations.moved_out_on > {{ as_of_date() }})
            as is_housed_as_of,
        least(coalesce(allocations.moved_out_on, {{ as_of_date() }}), {{ as_of_date() }})
            - allocations.moved_in_on as days_housed,

        shelter_before.prior_shelter_stay_id,
        shelter_before.prior_shelter_entered_on,
        allocations.moved_in_on - shelter_before.prior_shelter_entered_on
            as days_shelter_entry_to_move_in,
        shelter_after.next_shelter_stay_id,
        shelter_after.next_shelter_entered_on,
        shelter_after.next_shelter_entered_on - allocations.moved_out_on
            as days_move_out_to_shelter

    from allocations
    left join dwellings on allocations.dwelling_id = dwellings.dwelling_id
    left join shelter_before on allocations.allocation_id = shelter_before.allocation_id
    left join shelter_after on allocations.allocation_id = shelter_after.allocation_id

)

select * from followed
