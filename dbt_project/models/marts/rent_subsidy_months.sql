-- Question 8a: rent subsidies by type per month (dim_months x the three subsidy types, zeros
-- where none). A subsidy starts on the move-in day and is active on a day d when
-- moved_in_on <= d < subsidy_ends_on (null = no end) and the tenant has not moved out on or before
-- d (int_subsidies_followed). Active in a month = active on its count day: the month's last day,
-- or the report date in the report month.

with

months as (

    select month_start, month_end, least(month_end, {{ as_of_date() }}) as count_day, is_complete
    from {{ ref('dim_months') }}

),

subsidy_types as (

    select * from (values
        ('kommunal_udslusning'), ('statslig_midlertidig'), ('statslig_permanent')
    ) as t (rent_subsidy_type)

),

subsidies as (

    select * from {{ ref('int_subsidies_followed') }}

),

grid as (

    select months.*, subsidy_types.rent_subsidy_type
    from months
    cross join subsidy_types

),

active as (

    select
        grid.month_start,
        grid.rent_subsidy_type,
        count(*) as subsidies_active,
        sum(subsidies.subsidy_kr_per_month) as subsidy_kr_per_month_total

    from grid
    inner join subsidies
        on subsidies.rent_subsidy_type = grid.rent_subsidy_type
        and subsidies.subsidy_starts_on <= grid.count_day
        and (subsidies.subsidy_ends_on is null or subsidies.subsidy_ends_on > grid.count_day)
        and (subsidies.moved_out_on is null or subsidies.moved_out_on > grid.count_day)
    group by all

),

started as (

    select
        cast(date_trunc('month', subsidy_starts_on) as date) as month_start,
        rent_subsidy_type,
        count(*) as subsidies_started
    from subsidies
    group by all

),

ended as (

    select subsidy_ended_month as month_start, rent_subsidy_type, count(*) as subsidies_ended
    from subsidies
    where subsidy_ended_month is not null
    group by all

),

combined as (

    select
        grid.month_start,
        grid.rent_subsidy_type,
        grid.count_day,
        grid.is_complete,
        coalesce(active.subsidies_active, 0) as subsidies_active,
        coalesce(active.subsidy_kr_per_month_total, 0) as subsidy_kr_per_month_total,
        coalesce(started.subsidies_started, 0) as subsidies_started,
        coalesce(ended.subsidies_ended, 0) as subsidies_ended

    from grid
    left join active
        on grid.month_start = active.month_start
        and grid.rent_subsidy_type = active.rent_subsidy_type
    left join started
        on grid.month_start = started.month_start
        and grid.rent_subsidy_type = started.rent_subsidy_type
    left join ended
        on grid.month_start = ended.month_start
        and grid.rent_subsidy_type = ended.rent_subsidy_type

)

select * from combined
