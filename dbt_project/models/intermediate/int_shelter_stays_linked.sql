-- One row per shelter stay, linked to the citizen's housing by cpr_pseudonym. Day 0 is the
-- entry day (entered_on); the 90 days of the shelter goal count from it.
--   * next move-in: the first move-in (from an allocation) of the same citizen on or after the
--     entry day;
--   * days in the shelter: to the exit day, or to the report date while the stay is open;
--   * exited to own home: the stay ended with exit_destination 'egen_bolig'.

with

stays as (

    select * from {{ ref('stg_herbergsophold__shelter_stays') }}

),

move_ins as (

    select allocation_id, cpr_pseudonym, moved_in_on
    from {{ ref('stg_anvisninger__allocations') }}
    where moved_in_on is not null

),

next_move_in as (

    select
        stays.shelter_stay_id,
        arg_min(move_ins.allocation_id, move_ins.moved_in_on) as next_allocation_id,
        min(move_ins.moved_in_on) as next_moved_in_on

    from stays
    inner join move_ins
        on stays.cpr_pseudonym = move_ins.cpr_pseudonym
        and move_ins.moved_in_on >= stays.entered_on
    group by stays.shelter_stay_id

),

linked as (

    select
        stays.shelter_stay_id,
        stays.cpr_pseudonym,
        stays.shelter,
        stays.shelter_type,
        stays.entered_on,
        cast(date_trunc('month', stays.entered_on) as date) as entered_month,
        stays.exited_on,
        stays.exit_destination,
        stays.action_plan_on,
        stays.exited_on is null or stays.exited_on > {{ as_of_date() }} as is_open_as_of,
        least(coalesce(stays.exited_on, {{ as_of_date() }}), {{ as_of_date() }})
            - stays.entered_on as days_in_shelter,
        stays.action_plan_on - stays.entered_on as days_entry_to_action_plan,
        stays.exit_destination = 'egen_bolig' as exited_to_own_home,
        next_move_in.next_allocation_id,
        next_move_in.next_moved_in_on,
        next_move_in.next_moved_in_on - stays.entered_on as days_entry_to_move_in

    from stays
    left join next_move_in on stays.shelter_stay_id = next_move_in.shelter_stay_id

)

select * from linked
