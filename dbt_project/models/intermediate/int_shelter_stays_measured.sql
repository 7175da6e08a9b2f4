-- One row per shelter stay that began on or before the report date, measured against the plan's
-- goal: on to an own home within 90 days. Day 0 is the entry day (entered_on).
--   Own home: the first of
--     * the exit day, when the stay ended with exit_destination 'egen_bolig';
--     * the citizen's first move-in from an allocation on or after the entry day
--       (int_shelter_stays_linked.next_moved_in_on), when the stay was still open on that day or
--       had ended at most 14 days before it (registration lag between the shelter and the
--       allocation; a move-in longer after the exit belongs to a later spell, not this stay).
--     Only days on or before the report date count.
--   Own home within 90 days: own home on or before day 90. Measurable only once day 90 has come
--     (entered_on + 90 <= report date); stays that began less than 90 days before the report
--     date are not yet measurable (null) and left out of the denominator. A measurable stay that
--     is still open, or ended elsewhere, counts as not (yet) in an own home (false).
--   Past 90 days without an action plan: still open on the report date, more than 90 days since
--     entry (report date - entered_on > 90), and no handleplan dated on or before the report date.

with

stays as (

    select *
    from {{ ref('int_shelter_stays_linked') }}
    where entered_on <= {{ as_of_date() }}

),

homed as (

    select
        *,
        least(
            case
                when exit_destination = 'egen_bolig' and exited_on <= {{ as_of_date() }}
                    then exited_on
            end,
            case
                when next_moved_in_on <= {{ as_of_date() }}
                    and (exited_on is null or next_moved_in_on <= exited_on + 14)
                    then next_moved_in_on
            end
        ) as own_home_on

    from stays

),

measured as (

    select
        shelter_stay_id,
        cpr_pseudonym,
        shelter,
        shelter_type,
        entered_on,
        entered_month,
        exited_on,
        exit_destination,
        action_plan_on,
        is_open_as_of,
        days_in_shelter,
        own_home_on,
        own_home_on - entered_on as days_entry_to_own_home,
        case
            when own_home_on is null then null
            when own_home_on - entered_on <= 30 then '0-30'
            when own_home_on - entered_on <= 60 then '31-60'
            when own_home_on - entered_on <= 90 then '61-90'
            when own_home_on - entered_on <= 180 then '91-180'
            when own_home_on - entered_on <= 365 then '181-365'
            else 'over_365'
        end as days_to_own_home_bucket,
        entered_on + 90 <= {{ as_of_date() }} as is_measurable_90_days,
        case
            when entered_on + 90 <= {{ as_of_date() }}
                then coalesce(own_home_on - entered_on <= 90, false)
        end as own_home_within_90_days,
        coalesce(action_plan_on <= {{ as_of_date() }}, false) as has_action_plan_as_of,
        is_open_as_of and {{ as_of_date() }} - entered_on > 90 as is_past_90_days_as_of,
        is_open_as_of
            and {{ as_of_date() }} - entered_on > 90
            and not coalesce(action_plan_on <= {{ as_of_date() }}, false)
            as is_past_90_days_without_action_plan

    from homed

)

select * from measured
