-- Question 5a: what support allocated citizens receive. One row per support method, provider
-- type and team, over the support episodes around the citizens' tenancies
-- (int_support_episodes_aligned: episodes of a citizen with a move-in on or before the report
-- date that had not ended more than 90 days before the move-in and had started by the move-out
-- day or the report date). An episode that belongs to two tenancies of the same citizen counts
-- once. Active = started on or before the report date and not ended on or before it.

with

tenancies as (

    select allocation_id
    from {{ ref('int_tenancies_followed') }}
    where moved_in_on <= {{ as_of_date() }}

),

aligned as (

    select aligned.*
    from {{ ref('int_support_episodes_aligned') }} as aligned
    inner join tenancies on aligned.allocation_id = tenancies.allocation_id

),

episodes as (

    select
        support_episode_id,
        any_value(cpr_pseudonym) as cpr_pseudonym,
        any_value(support_method) as support_method,
        any_value(provider_type) as provider_type,
        any_value(team) as team,
        any_value(started_on) as started_on,
        any_value(ended_on) as ended_on,
        any_value(end_reason) as end_reason,
        count(distinct allocation_id) as tenancies,
        bool_or(
            days_move_in_to_start between -90 and 30
            and (ended_on is null or ended_on >= moved_in_on)
        ) as is_in_place_within_30_days

    from aligned
    group by support_episode_id

),

summarised as (

    select
        coalesce(support_method, 'ukendt') as support_method,
        coalesce(provider_type, 'ukendt') as provider_type,
        coalesce(team, 'ukendt') as team,
        support_method in ('CTI', 'ICM', 'ACT') as is_housing_first_method,
        count(*) as support_episodes,
        count(distinct cpr_pseudonym) as citizens,
        count(*) filter (where is_in_place_within_30_days) as episodes_in_place_within_30_days,
        count(*) filter (
            where ended_on is null or ended_on > {{ as_of_date() }}
        ) as episodes_active_as_of,
        count(*) filter (where ended_on <= {{ as_of_date() }}) as episodes_ended,
        count(*) filter (
            where ended_on <= {{ as_of_date() }} and end_reason = 'maal_naaet'
        ) as episodes_ended_goal_reached,
        count(*) filter (
            where ended_on <= {{ as_of_date() }} and end_reason = 'afbrudt'
        ) as episodes_ended_interrupted,
        median(ended_on - started_on) filter (
            where ended_on <= {{ as_of_date() }}
        ) as days_duration_median

    from episodes
    group by all

)

select * from summarised
