-- Question 5c: support episodes and citizens with support per month (dim_months) against the
-- plan's extra capacity (seed plan_targets, support_capacity_<year>: about 60 more citizens in
-- 2024 and 40 more a year in 2025-2027). All episodes of the source count, not only those of
-- allocated citizens: the capacity is the support service's.
--   Active in a month: active on its count day, the month's last day (the report date in the
--     report month): started on or before it, not ended on or before it.
--   Baseline: citizens with an active episode on the day before the first capacity period
--     (31-12-2023); null when that day lies before the first month of dim_months.
--   Planned extra: the capacity targets of the years before the month, plus this year's target
--     pro rata by month (month_number / 12), so December holds the year's full target.

with

months as (

    select
        month_start,
        month_end,
        least(month_end, {{ as_of_date() }}) as count_day,
        year,
        month_number,
        is_complete
    from {{ ref('dim_months') }}

),

episodes as (

    select * from {{ ref('stg_bostotte__support_episodes') }}

),

targets as (

    select target_value, period_start, period_end
    from {{ ref('plan_targets') }}
    where target_code like 'support\_capacity\_%' escape '\'

),

baseline_day as (

    select cast(min(period_start) - 1 as date) as baseline_on from targets

),

baseline as (

    select
        baseline_day.baseline_on,
        case
            when baseline_day.baseline_on >= (select min(month_start) from months)
                and baseline_day.baseline_on <= {{ as_of_date() }}
                then (
                    select count(distinct episodes.cpr_pseudonym)
                    from episodes
                    where episodes.started_on <= baseline_day.baseline_on
                        and (episodes.ended_on is null or episodes.ended_on > baseline_day.baseline_on)
                )
        end as baseline_citizens

    from baseline_day

),

active as (

    select
        months.month_start,
        count(*) as episodes_active,
        count(distinct episodes.cpr_pseudonym) as citizens_supported,
        count(distinct episodes.cpr_pseudonym) filter (
            where episodes.support_method in ('CTI', 'ICM', 'ACT')
        ) as citizens_supported_housing_first

    from months
    inner join episodes
        on episodes.started_on <= months.count_day
        and (episodes.ended_on is null or episodes.ended_on > months.count_day)
    group by months.month_start

),

started as (

    select
        cast(date_trunc('month', started_on) as date) as month_start,
        count(*) as episodes_started
    from episodes
    where started_on <= {{ as_of_date() }}
    group by all

),

planned as (

    select
        months.month_start,
        sum(
            case
                when targets.period_end < months.month_start then targets.target_value
                when targets.period_start <= months.month_start
                    then targets.target_value * months.month_number / 12
                else 0
            end
        ) as planned_extra_citizens,
        bool_or(targets.period_start <= months.month_start) as is_in_plan_period

    from months
    cross join targets
    group by months.month_start

),

combined as (

    select
        months.month_start,
        months.count_day,
        months.is_complete,
        coalesce(active.episodes_active, 0) as episodes_active,
        coalesce(active.citizens_supported, 0) as citizens_supported,
        coalesce(active.citizens_supported_housing_first, 0) as citizens_supported_housing_first,
        coalesce(started.episodes_started, 0) as episodes_started,
        baseline.baseline_on,
        baseline.baseline_citizens,
        case when planned.is_in_plan_period then planned.planned_extra_citizens end
            as planned_extra_citizens,
        case
            when planned.is_in_plan_period
                then baseline.baseline_citizens + planned.planned_extra_citizens
        end as capacity_target_citizens,
        case
            when planned.is_in_plan_period
                then coalesce(active.citizens_supported, 0) - baseline.baseline_citizens
        end as extra_citizens_vs_baseline

    from months
    cross join baseline
    left join active on months.month_start = active.month_start
    left join started on months.month_start = started.month_start
    left join planned on months.month_start = planned.month_start

)

select * from combined
