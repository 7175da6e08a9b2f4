-- Question 5b: support in place within 30 days of moving in, per move-in month (dim_months, every
-- month, zeros where nothing happened). Counted per tenancy (a citizen who moves in twice counts
-- twice). The rule is in int_tenancies_supported: an episode started between day -90 and day 30
-- of the move-in (day 0), not ended before day 0; measurable once day 30 has come.

with

months as (

    select month_start, is_complete from {{ ref('dim_months') }}

),

tenancies as (

    select * from {{ ref('int_tenancies_supported') }}

),

monthly as (

    select
        moved_in_month as month_start,
        count(*) as move_ins,
        count(*) filter (where needs_support) as move_ins_needing_support,
        count(*) filter (where needs_support and support_window_complete)
            as move_ins_needing_support_measurable,
        count(*) filter (where needs_support and has_support_within_30_days)
            as with_support_within_30_days,
        count(*) filter (where needs_support and has_support_by_move_in_day)
            as with_support_by_move_in_day,
        count(*) filter (
            where needs_support and support_window_complete and not has_support_within_30_days
                and has_older_support_at_move_in
        ) as with_only_older_support,
        count(*) filter (where not needs_support and has_support_within_30_days)
            as without_need_with_support_within_30_days,
        median(days_move_in_to_support) filter (
            where needs_support and has_support_within_30_days
        ) as days_move_in_to_support_median

    from tenancies
    group by moved_in_month

),

combined as (

    select
        months.month_start,
        months.is_complete,
        coalesce(monthly.move_ins, 0) as move_ins,
        coalesce(monthly.move_ins_needing_support, 0) as move_ins_needing_support,
        coalesce(monthly.move_ins_needing_support_measurable, 0)
            as move_ins_needing_support_measurable,
        coalesce(monthly.with_support_within_30_days, 0) as with_support_within_30_days,
        monthly.with_support_within_30_days
            / nullif(monthly.move_ins_needing_support_measurable, 0)
            as share_with_support_within_30_days,
        coalesce(monthly.with_support_by_move_in_day, 0) as with_support_by_move_in_day,
        coalesce(monthly.with_only_older_support, 0) as with_only_older_support,
        coalesce(monthly.without_need_with_support_within_30_days, 0)
            as without_need_with_support_within_30_days,
        monthly.days_move_in_to_support_median

    from months
    left join monthly on months.month_start = monthly.month_start

)

select * from combined
