-- Question 7a: keeping the home. Move-ins per move-in month (cohort), support method and rent
-- subsidy, and how many were still housed 6, 12 and 24 months later (int_tenancies_retained: no
-- move-out on or before the anniversary; only move-ins whose anniversary is on or before the
-- report date are eligible). Support method: the method of the first episode in place within 30
-- days of the move-in (int_tenancies_supported); 'ingen' = none; 'ukendt' = day 30 not yet come.
-- Housing First Europe's 12-month retention for Copenhagen (94 %, seed plan_targets,
-- retention_12m_reference) is carried as a reference line only: it never changes a count.

with

retained as (

    select * from {{ ref('int_tenancies_retained') }}

),

supported as (

    select allocation_id, support_method_at_move_in
    from {{ ref('int_tenancies_supported') }}

),

reference as (

    select target_value as reference_retention_12_months, source as reference_source
    from {{ ref('plan_targets') }}
    where target_code = 'retention_12m_reference'

),

cohorts as (

    select
        retained.moved_in_month,
        supported.support_method_at_move_in as support_method,
        coalesce(retained.rent_subsidy_type, 'ukendt') as rent_subsidy_type,
        count(*) as move_ins,
        {% for months in [6, 12, 24] %}
        count(*) filter (where retained.is_eligible_{{ months }}_months)
            as eligible_{{ months }}_months,
        count(*) filter (where retained.housed_at_{{ months }}_months)
            as housed_at_{{ months }}_months{{ "," if not loop.last }}
        {% endfor %}

    from retained
    inner join supported on retained.allocation_id = supported.allocation_id
    group by all

),

shared as (

    select
        cohorts.*,
        {% for months in [6, 12, 24] %}
        cohorts.housed_at_{{ months }}_months / nullif(cohorts.eligible_{{ months }}_months, 0)
            as share_housed_at_{{ months }}_months,
        {% endfor %}
        reference.reference_retention_12_months,
        reference.reference_source

    from cohorts
    left join reference on true

)

select * from shared
