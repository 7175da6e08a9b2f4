-- Question 8b: the subsidy cliff, as of the report date. Per subsidy type: the subsidies active
-- on the report date, those that end within the next 6 and 12 months (report date < end day <=
-- report date + 6 or 12 calendar months; the 12-month figures include the 6-month ones), and
-- whether those citizens' ability to pay (as assessed at the recommendation) covers the
-- dwelling's full rent excl. utilities (int_subsidies_followed). One row per subsidy type, also
-- when there are none.

with

subsidy_types as (

    select * from (values
        ('kommunal_udslusning'), ('statslig_midlertidig'), ('statslig_permanent')
    ) as t (rent_subsidy_type)

),

subsidies as (

    select * from {{ ref('int_subsidies_followed') }}

),

summarised as (

    select
        rent_subsidy_type,
        count(*) filter (where is_active_as_of) as subsidies_active,
        sum(subsidy_kr_per_month) filter (where is_active_as_of) as subsidy_kr_per_month_active,
        {% for months in [6, 12] %}
        count(*) filter (where ends_within_{{ months }}_months)
            as ending_within_{{ months }}_months,
        count(*) filter (where ends_within_{{ months }}_months and ability_covers_rent)
            as ending_within_{{ months }}_months_able_to_pay,
        count(*) filter (where ends_within_{{ months }}_months and not ability_covers_rent)
            as ending_within_{{ months }}_months_not_able_to_pay,
        sum(subsidy_kr_per_month) filter (where ends_within_{{ months }}_months)
            as ending_within_{{ months }}_months_subsidy_kr,
        median(rent_gap_kr) filter (
            where ends_within_{{ months }}_months and not ability_covers_rent
        ) as ending_within_{{ months }}_months_rent_gap_median_kr{{ "," if not loop.last }}
        {% endfor %}

    from subsidies
    group by rent_subsidy_type

),

combined as (

    select
        subsidy_types.rent_subsidy_type,
        {{ as_of_date() }} as as_of_date,
        coalesce(summarised.subsidies_active, 0) as subsidies_active,
        coalesce(summarised.subsidy_kr_per_month_active, 0) as subsidy_kr_per_month_active,
        {% for months in [6, 12] %}
        coalesce(summarised.ending_within_{{ months }}_months, 0)
            as ending_within_{{ months }}_months,
        coalesce(summarised.ending_within_{{ months }}_months_able_to_pay, 0)
            as ending_within_{{ months }}_months_able_to_pay,
        coalesce(summarised.ending_within_{{ months }}_months_not_able_to_pay, 0)
            as ending_within_{{ months }}_months_not_able_to_pay,
        summarised.ending_within_{{ months }}_months_able_to_pay
            / nullif(summarised.ending_within_{{ months }}_months, 0)
            as share_ending_within_{{ months }}_months_able_to_pay,
        coalesce(summarised.ending_within_{{ months }}_months_subsidy_kr, 0)
            as ending_within_{{ months }}_months_subsidy_kr,
        summarised.ending_within_{{ months }}_months_rent_gap_median_kr{{ "," if not loop.last }}
        {% endfor %}

    from subsidy_types
    left join summarised on subsidy_types.rent_subsidy_type = summarised.rent_subsidy_type

)

select * from combined
