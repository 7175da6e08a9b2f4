{#-
    Delta extracts (SOURCES.md): each file holds the current state of every record that changed
    since the previous extract, so a record may appear in many files. The current state is, per
    key, the row with the latest `opdateret`; ties are broken deterministically by the later
    extract date (`_extract_date`), then the later file name (`_source_file`), then the higher row
    number (`_source_row`). When the winning row has `slettet = 1` the record was deleted at the
    source and is removed (an older, undeleted row never comes back).

    Args:
        relation: the raw relation (a `source()`)
        key_columns: the key, a list of column names
        updated_column: the last-change timestamp, or none (afdelinger is a full extract whose
            months are resolved by the newest file alone: see stg_afdelinger__department_months)
        deleted_column: the deletion flag, or none when the source has none
-#}
{% macro resolve_delta(relation, key_columns, updated_column='opdateret', deleted_column='slettet') -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by
                    {% if updated_column -%} {{ updated_column }} desc nulls last, {%- endif %}
                    _extract_date desc nulls last,
                    _source_file desc,
                    _source_row desc
            ) as _delta_rank
        from {{ relation }}
    ) as ranked
    where _delta_rank = 1
    {%- if deleted_column %}
        and not coalesce({{ deleted_column }}, false)
    {%- endif %}
{%- endmacro %}
