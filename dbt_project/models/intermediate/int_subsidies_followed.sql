-- One row per tenancy with a rent subsidy (rent_subsidy_type other than 'ingen'), moved in on or
-- before the report date. The source dates only the end of a subsidy, so a subsidy is taken to
-- start on the move-in day. It is active on a day d when moved_in_on <= d < subsidy_ends_on (the
-- end day is the first day without subsidy; null end = no end date, e.g. a permanent state
-- subsidy) and the tenant has not moved out on or before d.
--   The subsidy cliff: subsidies active on the report date that end within the next 6 or 12
--     months (report date < subsidy_ends_on <= report date + 6 or 12 calendar months). Whether
--     the citizen's ability to pay (betalingsevne, as assessed at the recommendation: the source
--     has no later assessment) covers the dwelling's full rent excl. utilities (husleje_kr, the
--     dwelling's current row): ability_to_pay_kr >= rent_kr; null when either is missing.
--   Retention after a subsidy ended: subsidies that ended on or before the report date, on or
--     after the move-in day, while the tenant still lived there (no move-out before the end
--     day). Still housed N months (6, 12) after the end day: no move-out on or before the day N
--     calendar months after it; eligible only when that day is on or before the report date.

with

tenancies as (

    select *
    from {{ ref('int_tenancies_followed') }}
    where moved_in_on <= {{ as_of_date() }}
        and rent_subsidy_type is not null
        and rent_subsidy_type <> 'ingen'

),

followed as (

    select
        allocation_id,
        cpr_pseudonym,
        dwelling_id,
        rent_subsidy_type,
        subsidy_kr_per_month,
        moved_in_on as subsidy_starts_on,
        subsidy_ends_on,
        moved_in_on,
        moved_out_on,
        rent_kr,
        ability_to_pay_kr,
        ability_to_pay_kr >= rent_kr as ability_covers_rent,
        greatest(rent_kr - ability_to_pay_kr, 0) as rent_gap_kr,

        (moved_out_on is null or moved_out_on > {{ as_of_date() }})
            and (subsidy_ends_on is null or subsidy_ends_on > {{ as_of_date() }})
            as is_active_as_of,
        {% for months in [6, 12] %}
        coalesce(
            (moved_out_on is null or moved_out_on > {{ as_of_date() }})
                and subsidy_ends_on > {{ as_of_date() }}
                and subsidy_ends_on
                    <= cast({{ as_of_date() }} + interval '{{ months }} months' as date),
            false
        ) as ends_within_{{ months }}_months,
        {% endfor %}

        coalesce(
            subsidy_ends_on <= {{ as_of_date() }}
                and subsidy_ends_on >= moved_in_on
                and (moved_out_on is null or moved_out_on >= subsidy_ends_on),
            false
        ) as has_ended_while_housed,
        case
            when subsidy_ends_on <= {{ as_of_date() }}
                then cast(date_trunc('month', subsidy_ends_on) as date)
        end as subsidy_ended_month

    from tenancies

),

after_end as (

    select
        *,
        {% for months in [6, 12] %}
        has_ended_while_housed
            and cast(subsidy_ends_on + interval '{{ months }} months' as date) <= {{ as_of_date() }}
            as is_eligible_{{ months }}_months_after_end,
        case
            when has_ended_while_housed
                and cast(subsidy_ends_on + interval '{{ months }} months' as date)
                    <= {{ as_of_date() }}
                then moved_out_on is null
                    or moved_out_on > cast(subsidy_ends_on + interval '{{ months }} months' as date)
        end as housed_{{ months }}_months_after_end{{ "," if not loop.last }}
        {% endfor %}

    from followed

)

select * from after_end
