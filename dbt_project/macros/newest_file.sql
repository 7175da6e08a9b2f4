{#-
    Full extracts (SOURCES.md): the newest file replaces the previous state. "Newest" is the file
    with the latest extract date; on the same date the later file name wins (so
    `huslejeklasser_20240101_2.csv` replaces `huslejeklasser_20240101.csv`). Older files stay in
    raw.* as history.
-#}
{% macro newest_file(relation) -%}
    select *
    from {{ relation }}
    where _source_file = (
        select _source_file
        from {{ relation }}
        order by _extract_date desc, _source_file desc
        limit 1
    )
{%- endmacro %}
