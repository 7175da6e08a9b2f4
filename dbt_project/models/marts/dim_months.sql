-- One row per calendar month, from the first month any source mentions to the month of the
-- report date (as_of_date()). The report month is not complete until the month is over.

with

bounds as (

    select
        cast(date_trunc('month', least(
            coalesce((select min(received_on) from {{ ref('stg_ledige_boliger__dwellings') }}), {{ as_of_date() }}),
            coalesce((select min(recommended_on) from {{ ref('stg_anvisninger__allocations') }}), {{ as_of_date() }}),
            coalesce((select min(month_start) from {{ ref('stg_afdelinger__department_months') }}), {{ as_of_date() }}),
            coalesce((select min(entered_on) from {{ ref('stg_herbergsophold__shelter_stays') }}), {{ as_of_date() }}),
            {{ as_of_date() }}
        )) as date) as first_month,
        cast(date_trunc('month', {{ as_of_date() }}) as date) as last_month

),

months as (

    select cast(month_start as date) as month_start
    from bounds,
        range(bounds.first_month, bounds.last_month + interval 1 month, interval 1 month)
            as series(month_start)

),

described as (

    select
        month_start,
        cast(month_start + interval 1 month - interval 1 day as date) as month_end,
        strftime(month_start, '%Y-%m') as month_label,
        year(month_start) as year,
        month(month_start) as month_number,
        quarter(month_start) as quarter,
        cast(month_start + interval 1 month - interval 1 day as date) < {{ as_of_date() }}
            as is_complete,
        month_start = cast(date_trunc('month', {{ as_of_date() }}) as date) as is_report_month

    from months

)

select * from described
