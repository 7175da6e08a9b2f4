-- Question 9b: the 2022 pilot of 50 citizens (from 1 May 2022: 20 from Sundholm, 20 young, 10
-- without support need), per pilot group and in total ('i_alt'). Internal dashboards only: the
-- pilot is never broken down in partner exports (meta partner_export: false).
--   A pilot citizen: a citizen with at least one case with a pilot group; the group is that of
--     the citizen's earliest pilot case. Counted per citizen, not per case.
--   Moved in: the citizen's first move-in from a pilot case, on or before the report date.
--   Still housed at 12 months: for that tenancy, no move-out on or before the day 12 calendar
--     months after the move-in; eligible once that day has come (int_tenancies_retained).
--   Housed on the report date: that tenancy not moved out on or before the report date.
--   Support within 30 days: the rule of int_tenancies_supported, for citizens assessed to need
--     support whose day 30 has come.

with

cases as (

    select * from {{ ref('int_allocations_windowed') }}
    where pilot_group is not null

),

citizens as (

    select
        cpr_pseudonym,
        arg_min(pilot_group, (recommended_on, allocation_id)) as pilot_group,
        min(recommended_on) as first_recommended_on,
        arg_min(allocation_id, (moved_in_on, allocation_id)) filter (
            where moved_in_on <= {{ as_of_date() }}
        ) as first_move_in_allocation_id

    from cases
    group by cpr_pseudonym

),

outcomes as (

    select
        citizens.cpr_pseudonym,
        citizens.pilot_group,
        retained.moved_in_on,
        retained.moved_in_on - citizens.first_recommended_on as days_recommended_to_move_in,
        retained.moved_in_on is not null as has_moved_in,
        coalesce(retained.moved_in_on is not null and not retained.has_moved_out, false)
            as is_housed_as_of,
        coalesce(retained.is_eligible_12_months, false) as is_eligible_12_months,
        coalesce(retained.housed_at_12_months, false) as is_housed_at_12_months,
        coalesce(supported.needs_support and supported.support_window_complete, false)
            as is_measurable_support,
        coalesce(supported.needs_support and supported.has_support_within_30_days, false)
            as has_support_within_30_days

    from citizens
    left join {{ ref('int_tenancies_retained') }} as retained
        on citizens.first_move_in_allocation_id = retained.allocation_id
    left join {{ ref('int_tenancies_supported') }} as supported
        on citizens.first_move_in_allocation_id = supported.allocation_id

),

groups as (

    select * from (values
        (1, 'sundholm', 'pilot_sundholm'),
        (2, 'ung', 'pilot_ung'),
        (3, 'uden_bostotte', 'pilot_uden_bostotte'),
        (4, 'i_alt', 'pilot_total')
    ) as t (sort_order, pilot_group, target_code)

),

summarised as (

    select
        groups.sort_order,
        groups.pilot_group,
        plan.target_value as citizens_planned,
        count(outcomes.cpr_pseudonym) as citizens,
        count(*) filter (where outcomes.has_moved_in) as citizens_moved_in,
        count(*) filter (where outcomes.is_housed_as_of) as citizens_housed_as_of,
        count(*) filter (where outcomes.is_eligible_12_months) as citizens_eligible_12_months,
        count(*) filter (where outcomes.is_housed_at_12_months) as citizens_housed_at_12_months,
        count(*) filter (where outcomes.is_measurable_support)
            as citizens_needing_support_measurable,
        count(*) filter (where outcomes.has_support_within_30_days)
            as citizens_with_support_within_30_days,
        median(outcomes.days_recommended_to_move_in) as days_recommended_to_move_in_median

    from groups
    left join {{ ref('plan_targets') }} as plan on groups.target_code = plan.target_code
    left join outcomes
        on groups.pilot_group = 'i_alt' or groups.pilot_group = outcomes.pilot_group
    group by all

),

shared as (

    select
        *,
        citizens_housed_at_12_months / nullif(citizens_eligible_12_months, 0)
            as share_housed_at_12_months
    from summarised

)

select * from shared order by sort_order
