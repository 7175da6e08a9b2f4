-- Question 6: shelter stays by entry month (cohort) and shelter type, and how many went on to an
-- own home within 90 days of entry. The rules are in int_shelter_stays_measured: day 0 is the
-- entry day; own home = exit to 'egen_bolig' or the citizen's move-in (at most 14 days after the
-- exit); within 90 days = on or before day 90; measurable once day 90 has come, so stays that
-- began less than 90 days before the report date are left out of the denominator; open stays
-- count as not (yet) in an own home. Days to own home: for every stay that reached an own home
-- by the report date, whenever that was (median and buckets).

with

stays as (

    select * from {{ ref('int_shelter_stays_measured') }}

),

cohorts as (

    select
        entered_month,
        coalesce(shelter_type, 'ukendt') as shelter_type,
        count(*) as stays_entered,
        count(*) filter (where not is_measurable_90_days) as stays_not_yet_measurable,
        count(*) filter (where is_measurable_90_days) as stays_measurable,
        count(*) filter (where own_home_within_90_days) as own_home_within_90_days,
        count(*) filter (where is_measurable_90_days and is_open_as_of)
            as measurable_still_open,
        count(*) filter (where is_open_as_of) as stays_open_as_of,
        count(*) filter (where own_home_on is not null) as own_home_by_report_date,
        median(days_entry_to_own_home) as days_entry_to_own_home_median,
        count(*) filter (where days_to_own_home_bucket = '0-30') as own_home_days_0_30,
        count(*) filter (where days_to_own_home_bucket = '31-60') as own_home_days_31_60,
        count(*) filter (where days_to_own_home_bucket = '61-90') as own_home_days_61_90,
        count(*) filter (where days_to_own_home_bucket = '91-180') as own_home_days_91_180,
        count(*) filter (where days_to_own_home_bucket = '181-365') as own_home_days_181_365,
        count(*) filter (where days_to_own_home_bucket = 'over_365') as own_home_days_over_365,
        count(*) filter (where is_past_90_days_as_of) as past_90_days_as_of,
        count(*) filter (where is_past_90_days_without_action_plan)
            as past_90_days_without_action_plan

    from stays
    group by all

),

shared as (

    select
        *,
        own_home_within_90_days / nullif(stays_measurable, 0) as share_own_home_within_90_days
    from cohorts

)

select * from shared
