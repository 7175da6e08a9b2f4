-- The dwelling funnel: dwellings received per month (the month received), department (and so
-- housing organisation and district), rent class on the day received and dwelling type, and how
-- far they got: offered, accepted, declined, moved in, returned, still open; with the days
-- between the steps. Counts and day totals add up across rows; averages and medians do not.

with

dwellings as (

    select * from {{ ref('int_dwellings_tracked') }}

),

funnel as (

    select
        received_month,
        district,
        housing_organisation,
        department_id,
        coalesce(rent_class, 'ukendt') as rent_class,
        dwelling_type,

        count(*) as dwellings_received,
        count(*) filter (where was_offered) as dwellings_offered,
        cast(sum(offers_made) as bigint) as offers_made,
        cast(sum(offers_declined) as bigint) as offers_declined,
        count(*) filter (where was_accepted) as dwellings_accepted,
        count(*) filter (where was_moved_into) as dwellings_moved_into,
        count(*) filter (where was_returned) as dwellings_returned,
        count(*) filter (where outcome = 'aaben') as dwellings_open,

        cast(sum(days_received_to_offer) as bigint) as days_received_to_offer_total,
        avg(days_received_to_offer) as days_received_to_offer_avg,
        median(days_received_to_offer) as days_received_to_offer_median,
        cast(sum(days_offer_to_move_in) as bigint) as days_offer_to_move_in_total,
        avg(days_offer_to_move_in) as days_offer_to_move_in_avg,
        median(days_offer_to_move_in) as days_offer_to_move_in_median,
        cast(sum(days_received_to_move_in) as bigint) as days_received_to_move_in_total,
        avg(days_received_to_move_in) as days_received_to_move_in_avg,
        median(days_received_to_move_in) as days_received_to_move_in_median,
        cast(sum(days_received_to_return) as bigint) as days_received_to_return_total,
        avg(days_received_to_return) as days_received_to_return_avg,
        median(days_received_to_return) as days_received_to_return_median

    from dwellings
    group by all

)

select * from funnel
