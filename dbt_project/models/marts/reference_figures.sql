-- Question 10: published reference figures with their source, for the dashboards' context:
-- VIVE's national counts of homeless citizens in Copenhagen (seed vive_homeless_counts), Housing
-- First Europe's 12-month retention (seed plan_targets, retention_12m_reference) and the
-- administration's figures of March 2024 (seed published_context_figures). Published figures,
-- never computed or adjusted here. For a series (the VIVE counts) the change from the previous
-- published figure is given.

with

vive as (

    select
        'vive_homeless_count' as figure_code,
        'Hjemløse borgere i København, VIVE''s nationale kortlægning' as description_da,
        'Homeless citizens in Copenhagen, VIVE''s national count' as description_en,
        count_year as figure_year,
        cast(homeless_citizens as double) as figure_value,
        'borgere' as unit,
        source

    from {{ ref('vive_homeless_counts') }}

),

retention as (

    select
        'retention_12m_reference' as figure_code,
        description_da,
        description_en,
        cast(null as integer) as figure_year,
        target_value as figure_value,
        unit,
        source

    from {{ ref('plan_targets') }}
    where target_code = 'retention_12m_reference'

),

context as (

    select
        figure_code,
        description_da,
        description_en,
        figure_year,
        cast(figure_value as double) as figure_value,
        unit,
        source
    from {{ ref('published_context_figures') }}

),

unioned as (

    select * from vive
    union all
    select * from retention
    union all
    select * from context

),

changed as (

    select
        figure_code || coalesce('_' || figure_year, '') as figure_id,
        *,
        lag(figure_year) over series as previous_figure_year,
        figure_value - lag(figure_value) over series as change_from_previous,
        (figure_value - lag(figure_value) over series) / nullif(lag(figure_value) over series, 0)
            as change_share_from_previous

    from unioned
    window series as (partition by figure_code order by figure_year)

)

select * from changed
