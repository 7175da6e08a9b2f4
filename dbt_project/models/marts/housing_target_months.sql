-- Question 9a: citizens into their own home per month (dim_months) against the plan's target of
-- about 10 extra a month (120 extra in 2024; seed plan_targets, housed_per_month and
-- housed_extra_2024).
--   Counted: move-ins (a case with a move-in day on or before the report date, counted in the
--     month of the move-in) of citizens from the homeless target groups herberg, gade,
--     sofasover, ung and krisecenter. Other target groups (botilbud, flygtning, oevrig) are in
--     move_ins_all only. A citizen who moves in twice counts twice.
--   Extra = above a baseline: the average monthly count of the complete months of 2023 in
--     dim_months (baseline_months says how many; null when there are none). Shown from the
--     baseline year on; null for earlier months.
--   Target: the seed's monthly target for the months in its period (2024), else null; the
--     year-to-date figures add up the months of the calendar year through this month.

{% set baseline_year = 2023 %}
{% set target_groups = ['herberg', 'gade', 'sofasover', 'ung', 'krisecenter'] %}

with

months as (

    select month_start, year, month_number, is_complete from {{ ref('dim_months') }}

),

tenancies as (

    select moved_in_month, target_group
    from {{ ref('int_tenancies_followed') }}
    where moved_in_on <= {{ as_of_date() }}

),

monthly as (

    select
        moved_in_month as month_start,
        count(*) as move_ins_all,
        count(*) filter (
            where target_group in ('{{ target_groups | join("', '") }}')
        ) as move_ins_target_groups

    from tenancies
    group by moved_in_month

),

counted as (

    select
        months.*,
        coalesce(monthly.move_ins_all, 0) as move_ins_all,
        coalesce(monthly.move_ins_target_groups, 0) as move_ins_target_groups
    from months
    left join monthly on months.month_start = monthly.month_start

),

baseline as (

    select
        avg(move_ins_target_groups) as baseline_monthly_move_ins,
        count(*) as baseline_months
    from counted
    where year = {{ baseline_year }} and is_complete

),

monthly_target as (

    select target_value, period_start, period_end
    from {{ ref('plan_targets') }}
    where target_code = 'housed_per_month'

),

yearly_target as (

    select target_value, period_start, period_end
    from {{ ref('plan_targets') }}
    where target_code like 'housed\_extra\_%' escape '\'

),

combined as (

    select
        counted.month_start,
        counted.year,
        counted.month_number,
        counted.is_complete,
        counted.move_ins_all,
        counted.move_ins_target_groups,
        case when baseline.baseline_months > 0 then baseline.baseline_monthly_move_ins end
            as baseline_monthly_move_ins,
        baseline.baseline_months,
        case
            when baseline.baseline_months > 0 and counted.year >= {{ baseline_year }}
                then counted.move_ins_target_groups - baseline.baseline_monthly_move_ins
        end as move_ins_above_baseline,
        monthly_target.target_value as target_extra_per_month,
        yearly_target.target_value as target_extra_in_year

    from counted
    cross join baseline
    left join monthly_target
        on counted.month_start between monthly_target.period_start and monthly_target.period_end
    left join yearly_target
        on counted.month_start between yearly_target.period_start and yearly_target.period_end

),

year_to_date as (

    select
        *,
        cast(sum(move_ins_target_groups) over year_so_far as bigint)
            as move_ins_target_groups_year_to_date,
        sum(move_ins_above_baseline) over year_so_far as above_baseline_year_to_date,
        case
            when target_extra_per_month is not null
                then sum(target_extra_per_month) over year_so_far
        end as target_extra_year_to_date

    from combined
    window year_so_far as (
        partition by year order by month_start rows between unbounded preceding and current row
    )

)

select * from year_to_date
