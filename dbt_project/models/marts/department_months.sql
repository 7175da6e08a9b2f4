-- Departments per month: the one-third rule and concentration.
--   One-third rule: over the rolling window of the 12 calendar months ending with the month
--   (var one_third_window_months), the municipality's allocations (anvist_kommune) against the
--   department's vacancies (ledige_boliger), both as reported by BL 1. kreds. A month without a
--   row counts as 0 in both sums (months_reported says how many of the 12 had one). Over the
--   cap: allocations x 3 > vacancies, i.e. more than every third vacancy (exactly one third is
--   allowed). No vacancies in the window: share null, never over the cap.
--   Concentration: the municipality's tenants living in the department at the end of the month
--   (tenancies from int_tenancies_followed: moved in on or before the last day and not moved
--   out on or before it) against the department's dwellings.
--   Shielded: offers of a dwelling in the department dated in a month the department was
--   shielded (skaermet); the offer is the municipality's allocation decision.

with

department_months as (

    select * from {{ ref('stg_afdelinger__department_months') }}

),

months as (

    select month_start, month_end from {{ ref('dim_months') }}

),

tenancies as (

    select * from {{ ref('int_tenancies_followed') }}

),

offers as (

    select
        dwellings.department_id,
        cast(date_trunc('month', allocations.offered_on) as date) as month_start,
        count(*) as offers_made
    from {{ ref('stg_anvisninger__allocations') }} as allocations
    inner join {{ ref('stg_ledige_boliger__dwellings') }} as dwellings
        on allocations.dwelling_id = dwellings.dwelling_id
    where allocations.offered_on is not null
    group by all

),

move_ins as (

    select department_id, moved_in_month as month_start, count(*) as move_ins
    from tenancies
    group by all

),

housed as (

    select department_months.department_id, department_months.month_start, count(*) as tenants_housed
    from department_months
    inner join months on department_months.month_start = months.month_start
    inner join tenancies
        on tenancies.department_id = department_months.department_id
        and tenancies.moved_in_on <= months.month_end
        and (tenancies.moved_out_on is null or tenancies.moved_out_on > months.month_end)
    group by all

),

rolling as (

    select
        *,
        cast(sum(allocated_by_municipality) over window_12 as bigint)
            as allocated_by_municipality_12m,
        cast(sum(vacancies) over window_12 as bigint) as vacancies_12m,
        count(*) over window_12 as months_reported_12m

    from department_months
    window window_12 as (
        partition by department_id
        order by month_start
        range between interval ({{ var('one_third_window_months') }} - 1) month preceding
            and current row
    )

),

combined as (

    select
        rolling.department_id,
        rolling.month_start,
        rolling.housing_organisation,
        rolling.department_name,
        rolling.district,
        rolling.dwelling_count,
        rolling.is_shielded,
        rolling.vacancies,
        rolling.let_from_waiting_list,
        rolling.let_flexibly,
        rolling.allocated_by_municipality,
        rolling.allocated_by_municipality_12m,
        rolling.vacancies_12m,
        rolling.months_reported_12m,
        rolling.allocated_by_municipality_12m / nullif(rolling.vacancies_12m, 0)
            as municipal_share_12m,
        coalesce(rolling.allocated_by_municipality_12m * 3 > rolling.vacancies_12m, false)
            as is_over_one_third,
        coalesce(offers.offers_made, 0) as offers_made,
        case when rolling.is_shielded then coalesce(offers.offers_made, 0) else 0 end
            as offers_while_shielded,
        coalesce(move_ins.move_ins, 0) as move_ins,
        coalesce(housed.tenants_housed, 0) as tenants_housed,
        coalesce(housed.tenants_housed, 0) / nullif(rolling.dwelling_count, 0)
            as tenants_housed_share

    from rolling
    left join offers
        on rolling.department_id = offers.department_id
        and rolling.month_start = offers.month_start
    left join move_ins
        on rolling.department_id = move_ins.department_id
        and rolling.month_start = move_ins.month_start
    left join housed
        on rolling.department_id = housed.department_id
        and rolling.month_start = housed.month_start

)

select * from combined
