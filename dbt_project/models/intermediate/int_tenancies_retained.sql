-- One row per tenancy (a case with a move-in on or before the report date): was the home kept,
-- and did the citizen come back to a shelter after moving out. Everything as of the report date.
--   Still housed N months after moving in (N = 6, 12, 24): no move-out on or before the
--     anniversary (the same day N calendar months after the move-in day; DuckDB clamps to the
--     month's last day, so 31 August + 6 months = 28/29 February). Every move-out counts,
--     whatever the reason. Eligible only when the anniversary is on or before the report date;
--     null otherwise.
--   Return to homelessness within D days (D = 180, 365, 730): the citizen's first shelter stay
--     that began on or after the move-out day (int_tenancies_followed.next_shelter_entered_on)
--     began no later than move-out day + D. Eligible only when the citizen has moved out, the
--     day move-out + D is on or before the report date, and the move-out was not a death
--     (move_out_reason 'doed': cannot return); null otherwise.

with

tenancies as (

    select *
    from {{ ref('int_tenancies_followed') }}
    where moved_in_on <= {{ as_of_date() }}

),

retained as (

    select
        allocation_id,
        cpr_pseudonym,
        target_group,
        needs_support,
        pilot_group,
        rent_subsidy_type,
        moved_in_on,
        moved_in_month,
        case when moved_out_on <= {{ as_of_date() }} then moved_out_on end as moved_out_on,
        case when moved_out_on <= {{ as_of_date() }} then move_out_reason end as move_out_reason,
        case
            when moved_out_on <= {{ as_of_date() }}
                then cast(date_trunc('month', moved_out_on) as date)
        end as moved_out_month,
        coalesce(moved_out_on <= {{ as_of_date() }}, false) as has_moved_out,

        {% for months in [6, 12, 24] %}
        cast(moved_in_on + interval '{{ months }} months' as date) as anniversary_{{ months }}_months_on,
        cast(moved_in_on + interval '{{ months }} months' as date) <= {{ as_of_date() }}
            as is_eligible_{{ months }}_months,
        case
            when cast(moved_in_on + interval '{{ months }} months' as date) <= {{ as_of_date() }}
                then moved_out_on is null
                    or moved_out_on > cast(moved_in_on + interval '{{ months }} months' as date)
        end as housed_at_{{ months }}_months,
        {% endfor %}

        case
            when moved_out_on <= {{ as_of_date() }} then next_shelter_entered_on
        end as next_shelter_entered_on,
        case
            when moved_out_on <= {{ as_of_date() }} then days_move_out_to_shelter
        end as days_move_out_to_shelter,

        {% for days in [180, 365, 730] %}
        coalesce(
            moved_out_on + {{ days }} <= {{ as_of_date() }}
                and move_out_reason is distinct from 'doed',
            false
        ) as is_eligible_return_{{ days }}_days,
        case
            when moved_out_on + {{ days }} <= {{ as_of_date() }}
                and move_out_reason is distinct from 'doed'
                then coalesce(next_shelter_entered_on <= moved_out_on + {{ days }}, false)
        end as returned_within_{{ days }}_days{{ "," if not loop.last }}
        {% endfor %}

    from tenancies

)

select * from retained
