-- Every offer of a dwelling in a department that was shielded (skaermet, closed to social
-- allocation) in the month of the offer: there should be none. One row per offer (allocation
-- case); no personal data. The offer is the municipality's allocation decision, so its month
-- decides; a department without a row for that month in afdelinger is not known to be shielded.

with

allocations as (

    select * from {{ ref('stg_anvisninger__allocations') }}
    where offered_on is not null and dwelling_id is not null

),

dwellings as (

    select * from {{ ref('stg_ledige_boliger__dwellings') }}

),

department_months as (

    select * from {{ ref('stg_afdelinger__department_months') }}

),

shielded as (

    select
        allocations.allocation_id,
        allocations.dwelling_id,
        dwellings.department_id,
        department_months.department_name,
        department_months.housing_organisation,
        department_months.district,
        allocations.offered_on,
        department_months.month_start as offered_month,
        allocations.status,
        allocations.moved_in_on

    from allocations
    inner join dwellings on allocations.dwelling_id = dwellings.dwelling_id
    inner join department_months
        on dwellings.department_id = department_months.department_id
        and department_months.month_start
            = cast(date_trunc('month', allocations.offered_on) as date)
    where department_months.is_shielded

)

select * from shielded
