-- Question 7b: returns to homelessness. Move-outs per move-out month and move-out reason, and
-- how many of the citizens began a new shelter stay on or after the move-out day within 180,
-- 365 and 730 days (int_tenancies_retained). Eligible only when move-out day + D is on or before
-- the report date; move-outs by death (reason 'doed') are never eligible. Only move-outs on or
-- before the report date.

with

retained as (

    select * from {{ ref('int_tenancies_retained') }}
    where has_moved_out

),

cohorts as (

    select
        moved_out_month,
        coalesce(move_out_reason, 'ukendt') as move_out_reason,
        count(*) as move_outs,
        {% for days in [180, 365, 730] %}
        count(*) filter (where is_eligible_return_{{ days }}_days) as eligible_{{ days }}_days,
        count(*) filter (where returned_within_{{ days }}_days)
            as returned_within_{{ days }}_days,
        {% endfor %}
        median(days_move_out_to_shelter) as days_move_out_to_shelter_median

    from retained
    group by all

),

shared as (

    select
        *,
        {% for days in [180, 365, 730] %}
        returned_within_{{ days }}_days / nullif(eligible_{{ days }}_days, 0)
            as share_returned_within_{{ days }}_days{{ "," if not loop.last }}
        {% endfor %}
    from cohorts

)

select * from shared
