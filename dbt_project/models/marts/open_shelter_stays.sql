-- Question 6, as of the report date: the stays still open, per shelter, and those past 90 days
-- without an action plan (handleplan). Open = not exited on or before the report date. Past 90
-- days = more than 90 days since entry (report date - entry day > 90). Without an action plan =
-- no handleplan dated on or before the report date. Rules in int_shelter_stays_measured.

with

stays as (

    select * from {{ ref('int_shelter_stays_measured') }}
    where is_open_as_of

),

summarised as (

    select
        coalesce(shelter, 'ukendt') as shelter,
        coalesce(shelter_type, 'ukendt') as shelter_type,
        {{ as_of_date() }} as as_of_date,
        count(*) as stays_open,
        count(*) filter (where is_past_90_days_as_of) as stays_past_90_days,
        count(*) filter (where is_past_90_days_without_action_plan)
            as stays_past_90_days_without_action_plan,
        count(*) filter (where has_action_plan_as_of) as stays_with_action_plan,
        median(days_in_shelter) as days_in_shelter_median,
        max(days_in_shelter) as days_in_shelter_max

    from stays
    group by all

)

select * from summarised
