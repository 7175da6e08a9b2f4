-- Question 8c: retention after a subsidy ended. Subsidies that ended on or before the report
-- date while the tenant still lived there, per month the subsidy ended and subsidy type, and how
-- many tenants were still housed 6 and 12 months after the end day (no move-out on or before the
-- day N calendar months after it; eligible only when that day is on or before the report date).
-- Rules in int_subsidies_followed.

with

subsidies as (

    select * from {{ ref('int_subsidies_followed') }}
    where has_ended_while_housed

),

cohorts as (

    select
        subsidy_ended_month,
        rent_subsidy_type,
        count(*) as subsidies_ended,
        count(*) filter (where ability_covers_rent) as ended_able_to_pay,
        {% for months in [6, 12] %}
        count(*) filter (where is_eligible_{{ months }}_months_after_end)
            as eligible_{{ months }}_months_after_end,
        count(*) filter (where housed_{{ months }}_months_after_end)
            as housed_{{ months }}_months_after_end{{ "," if not loop.last }}
        {% endfor %}

    from subsidies
    group by all

),

shared as (

    select
        *,
        {% for months in [6, 12] %}
        housed_{{ months }}_months_after_end / nullif(eligible_{{ months }}_months_after_end, 0)
            as share_housed_{{ months }}_months_after_end{{ "," if not loop.last }}
        {% endfor %}
    from cohorts

)

select * from shared
