{#- The day a run reports as of: BOLIGMONITOR_AS_OF (yyyy-mm-dd), default today. Dagster passes
    the value it resolved (boligmonitor.settings.as_of), so dbt and Python always agree.
    Unit tests override it with `overrides: {env_vars: {BOLIGMONITOR_AS_OF: ...}}`. -#}
{% macro as_of_date() -%}
    {%- set raw = env_var('BOLIGMONITOR_AS_OF', '') | trim -%}
    {%- if raw -%}
        cast('{{ raw }}' as date)
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}
