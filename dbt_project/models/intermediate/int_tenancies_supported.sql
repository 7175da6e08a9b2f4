-- One row per tenancy (a case with a move-in on or before the report date) with the support put
-- in place for it. Day 0 is the move-in day.
--   Support in place within 30 days: an episode of the same citizen (int_support_episodes_aligned)
--     * that started between day -90 and day 30, both inclusive (N = 90: Housing First support,
--       CTI above all, is set up in the transition from offer to move-in, and the int layer
--       already treats episodes ended up to 90 days before the move-in as "around the move-in";
--       an episode started more than 90 days before belongs to an earlier phase, e.g. the
--       shelter or an earlier home, and is no evidence of support put in place for this home),
--     * that had not ended before day 0 (ended_on null or on/after the move-in day), and
--     * that had started by the move-out day (the aligned episodes only hold those).
--   Known only once day 30 has come (moved_in_on + 30 <= report date); null before.
--   An older episode (started before day -90) still running on day 0 does not count; it is
--   flagged (has_older_support_at_move_in) so the effect of N can be seen.

with

tenancies as (

    select *
    from {{ ref('int_tenancies_followed') }}
    where moved_in_on <= {{ as_of_date() }}

),

episodes as (

    select * from {{ ref('int_support_episodes_aligned') }}

),

in_window as (

    select
        allocation_id,
        count(*) as support_episodes_in_window,
        min(started_on) as first_support_started_on,
        arg_min(support_method, (started_on, support_episode_id)) as first_support_method,
        arg_min(provider_type, (started_on, support_episode_id)) as first_support_provider_type

    from episodes
    where days_move_in_to_start between -90 and 30
        and (ended_on is null or ended_on >= moved_in_on)
    group by allocation_id

),

older as (

    select allocation_id, count(*) as older_episodes
    from episodes
    where days_move_in_to_start < -90
        and (ended_on is null or ended_on >= moved_in_on)
    group by allocation_id

),

supported as (

    select
        tenancies.allocation_id,
        tenancies.cpr_pseudonym,
        tenancies.target_group,
        tenancies.needs_support,
        tenancies.pilot_group,
        tenancies.rent_subsidy_type,
        tenancies.moved_in_on,
        tenancies.moved_in_month,
        tenancies.moved_out_on,
        tenancies.moved_in_on + 30 <= {{ as_of_date() }} as support_window_complete,
        case
            when tenancies.moved_in_on + 30 <= {{ as_of_date() }}
                then in_window.allocation_id is not null
        end as has_support_within_30_days,
        coalesce(in_window.support_episodes_in_window, 0) as support_episodes_in_window,
        in_window.first_support_started_on,
        in_window.first_support_method,
        in_window.first_support_provider_type,
        in_window.first_support_started_on - tenancies.moved_in_on as days_move_in_to_support,
        coalesce(in_window.first_support_started_on <= tenancies.moved_in_on, false)
            as has_support_by_move_in_day,
        older.allocation_id is not null as has_older_support_at_move_in,
        case
            when tenancies.moved_in_on + 30 > {{ as_of_date() }} then 'ukendt'
            else coalesce(in_window.first_support_method, 'ingen')
        end as support_method_at_move_in

    from tenancies
    left join in_window on tenancies.allocation_id = in_window.allocation_id
    left join older on tenancies.allocation_id = older.allocation_id

)

select * from supported
