-- Returns: of the dwellings received in a month (the cohort of the month received), how many
-- were handed back unused and why, by district, housing organisation, rent class on the day
-- received and dwelling type. A dwelling that was both moved into and returned counts as moved
-- into, not returned. Rates are on the dwellings received; the high-rent share is on the
-- dwellings returned.

with

dwellings as (

    select * from {{ ref('int_dwellings_tracked') }}

),

reasons as (

    select
        received_month,
        district,
        housing_organisation,
        coalesce(rent_class, 'ukendt') as rent_class,
        dwelling_type,

        count(*) as dwellings_received,
        count(*) filter (where was_returned) as dwellings_returned,
        {% for reason in ['husleje_for_hoej', 'stoerrelse', 'beliggenhed', 'afdeling_skaermet',
                          'ingen_match_inden_frist', 'boligens_stand', 'andet'] %}
        count(*) filter (
            where was_returned and return_reason = '{{ reason }}'
        ) as returned_{{ reason }},
        {% endfor %}
        count(*) filter (where outcome = 'aaben') as dwellings_open

    from dwellings
    group by all

),

rated as (

    select
        *,
        dwellings_returned / nullif(dwellings_received, 0) as return_rate,
        returned_husleje_for_hoej / nullif(dwellings_received, 0) as high_rent_return_rate,
        returned_husleje_for_hoej / nullif(dwellings_returned, 0) as high_rent_share_of_returns

    from reasons

)

select * from rated
