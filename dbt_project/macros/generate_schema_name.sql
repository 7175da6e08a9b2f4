{#- Models land in the schema named in dbt_project.yml (staging, intermediate, marts, reference),
    not in dbt's default "<target schema>_<custom schema>", so analysts find marts.* . -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
