-- One row per (tenancy, support episode of the same citizen) for the episodes around the
-- move-in: those that had not ended more than 90 days before the move-in and had started by the
-- move-out day (or the report date). Day 0 is the move-in day.
--   * was_active_at_move_in: started on or before day 0 and not ended before day 0;
--   * in_place_within_30_days: started on or before day 30 and not ended before day 0.

with

tenancies as (

    select allocation_id, cpr_pseudonym, moved_in_on, moved_out_on
    from {{ ref('stg_anvisninger__allocations') }}
    where moved_in_on is not null

),

episodes as (

    select * from {{ ref('stg_bostotte__support_episodes') }}

),

aligned as (

    select
        tenancies.allocation_id,
        episodes.support_episode_id,
        episodes.cpr_pseudonym,
        episodes.support_method,
        episodes.provider_type,
        episodes.team,
        episodes.granted_on,
        episodes.started_on,
        episodes.ended_on,
        episodes.end_reason,
        tenancies.moved_in_on,
        episodes.started_on - tenancies.moved_in_on as days_move_in_to_start,
        episodes.started_on <= tenancies.moved_in_on
            and (episodes.ended_on is null or episodes.ended_on >= tenancies.moved_in_on)
            as was_active_at_move_in,
        episodes.started_on <= tenancies.moved_in_on + 30
            and (episodes.ended_on is null or episodes.ended_on >= tenancies.moved_in_on)
            as in_place_within_30_days

    from tenancies
    inner join episodes
        on tenancies.cpr_pseudonym = episodes.cpr_pseudonym
        and (episodes.ended_on is null or episodes.ended_on >= tenancies.moved_in_on - 90)
        and episodes.started_on
            <= least(coalesce(tenancies.moved_out_on, {{ as_of_date() }}), {{ as_of_date() }})

)

select * from aligned
