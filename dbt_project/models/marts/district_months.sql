-- Districts per month: every district (the ten, seed districts) in every month of dim_months,
-- with zeros where nothing happened. Dwellings received and returned by the month received;
-- offers by the month of the offer; move-ins by the month of the move-in; tenants housed at
-- the end of the month (moved in on or before the last day, not moved out on or before it);
-- the district's share of the city's move-ins that month.

with

grid as (

    select months.month_start, months.month_end, districts.district, districts.district_number
    from {{ ref('dim_months') }} as months
    cross join {{ ref('districts') }} as districts

),

dwellings as (

    select
        district,
        received_month as month_start,
        count(*) as dwellings_received,
        count(*) filter (where was_returned) as dwellings_returned
    from {{ ref('int_dwellings_tracked') }}
    group by all

),

offers as (

    select
        dwellings.district,
        cast(date_trunc('month', allocations.offered_on) as date) as month_start,
        count(*) as offers_made
    from {{ ref('stg_anvisninger__allocations') }} as allocations
    inner join {{ ref('stg_ledige_boliger__dwellings') }} as dwellings
        on allocations.dwelling_id = dwellings.dwelling_id
    where allocations.offered_on is not null
    group by all

),

tenancies as (

    select * from {{ ref('int_tenancies_followed') }}

),

move_ins as (

    select district, moved_in_month as month_start, count(*) as move_ins
    from tenancies
    group by all

),

housed as (

    select grid.district, grid.month_start, count(*) as tenants_housed
    from grid
    inner join tenancies
        on tenancies.district = grid.district
        and tenancies.moved_in_on <= grid.month_end
        and (tenancies.moved_out_on is null or tenancies.moved_out_on > grid.month_end)
    group by all

),

combined as (

    select
        grid.month_start,
        grid.district,
        grid.district_number,
        coalesce(dwellings.dwellings_received, 0) as dwellings_received,
        coalesce(dwellings.dwellings_returned, 0) as dwellings_returned,
        coalesce(offers.offers_made, 0) as offers_made,
        coalesce(move_ins.move_ins, 0) as move_ins,
        coalesce(housed.tenants_housed, 0) as tenants_housed

    from grid
    left join dwellings
        on grid.district = dwellings.district and grid.month_start = dwellings.month_start
    left join offers on grid.district = offers.district and grid.month_start = offers.month_start
    left join move_ins
        on grid.district = move_ins.district and grid.month_start = move_ins.month_start
    left join housed on grid.district = housed.district and grid.month_start = housed.month_start

),

shared as (

    select
        *,
        move_ins / nullif(sum(move_ins) over (partition by month_start), 0)
            as share_of_city_move_ins

    from combined

)

select * from shared
