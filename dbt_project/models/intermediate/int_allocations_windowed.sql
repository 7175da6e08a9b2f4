-- One row per allocation case (anvisning) with the window in which the citizen was waiting for
-- a dwelling. Waiting starts on the day of the recommendation (recommended_on, inclusive) and
-- ends (exclusive) on the first of:
--   * the day of an offer (offered_on): from then on the citizen has a concrete dwelling; a
--     citizen who declines and is put forward again comes back as a new case;
--   * for a cancelled case without an offer (status annulleret): the day of its last change at
--     the source (updated_at), the best date the source gives for the cancellation.
-- waiting_until null = still waiting (status indstillet).

with

allocations as (

    select * from {{ ref('stg_anvisninger__allocations') }}

),

windowed as (

    select
        allocation_id,
        cpr_pseudonym,
        dwelling_id,
        target_group,
        needed_dwelling_type,
        ability_to_pay_kr,
        needs_support,
        status,
        recommended_on,
        offered_on,
        moved_in_on,
        moved_out_on,
        move_out_reason,
        rent_subsidy_type,
        subsidy_kr_per_month,
        subsidy_ends_on,
        pilot_group,
        updated_at,
        recommended_on as waiting_from,
        case
            when offered_on is not null then offered_on
            when status = 'annulleret' then cast(updated_at as date)
        end as waiting_until

    from allocations

)

select * from windowed
