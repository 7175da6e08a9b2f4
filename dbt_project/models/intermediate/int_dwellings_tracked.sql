-- One row per received dwelling: its path received -> offered -> accepted or declined -> moved
-- in, or returned, with the days between the steps. The sources date the offer (tilbudt_dato),
-- the move-in and the return, but not the answer to an offer: accepted and declined are states,
-- not dated steps.

with

dwellings as (

    select * from {{ ref('int_dwellings_classified') }}

),

allocations as (

    select * from {{ ref('stg_anvisninger__allocations') }}

),

returns as (

    select * from {{ ref('stg_returnerede_boliger__returns') }}

),

offers as (

    select
        dwelling_id,
        count(*) as offers_made,
        count(*) filter (where status = 'afslaaet') as offers_declined,
        count(*) filter (where status = 'tilbudt') as offers_pending,
        min(offered_on) as first_offered_on,
        -- the accepted offer: the case that went on to acceptance or move-in (at most one is
        -- expected; if the source has two, the earliest offer is taken)
        arg_min(
            allocation_id, offered_on
        ) filter (where status in ('accepteret', 'indflyttet', 'fraflyttet')) as accepted_allocation_id,
        min(offered_on) filter (
            where status in ('accepteret', 'indflyttet', 'fraflyttet')
        ) as accepted_offer_on,
        min(moved_in_on) as moved_in_on,
        count(*) filter (
            where status in ('accepteret', 'indflyttet', 'fraflyttet')
        ) as accepted_allocations

    from allocations
    where dwelling_id is not null and offered_on is not null
    group by dwelling_id

),

tracked as (

    select
        dwellings.*,
        coalesce(offers.offers_made, 0) as offers_made,
        coalesce(offers.offers_declined, 0) as offers_declined,
        coalesce(offers.offers_pending, 0) as offers_pending,
        offers.first_offered_on,
        offers.accepted_allocation_id,
        offers.accepted_offer_on,
        offers.moved_in_on,
        returns.returned_on,
        returns.return_reason,

        case
            when offers.moved_in_on is not null then 'indflyttet'
            when offers.accepted_allocation_id is not null then 'accepteret'
            when returns.dwelling_id is not null then 'returneret'
            when offers.offers_pending > 0 then 'tilbudt'
            when offers.offers_declined > 0 then 'afslaaet'
            else 'modtaget'
        end as stage,

        case
            when offers.moved_in_on is not null then 'indflyttet'
            when returns.dwelling_id is not null then 'returneret'
            else 'aaben'
        end as outcome,

        offers.first_offered_on is not null as was_offered,
        offers.accepted_allocation_id is not null as was_accepted,
        offers.moved_in_on is not null as was_moved_into,
        returns.dwelling_id is not null and offers.moved_in_on is null as was_returned,
        coalesce(offers.accepted_allocations, 0) > 1 as has_several_acceptances,

        offers.first_offered_on - dwellings.received_on as days_received_to_offer,
        offers.moved_in_on - offers.accepted_offer_on as days_offer_to_move_in,
        offers.moved_in_on - dwellings.received_on as days_received_to_move_in,
        case
            when offers.moved_in_on is null then returns.returned_on - dwellings.received_on
        end as days_received_to_return,
        case
            when offers.moved_in_on is null and returns.dwelling_id is null
                then {{ as_of_date() }} - dwellings.received_on
        end as days_open_as_of

    from dwellings
    left join offers on dwellings.dwelling_id = offers.dwelling_id
    left join returns on dwellings.dwelling_id = returns.dwelling_id

)

select * from tracked
