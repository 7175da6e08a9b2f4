{#- Generic test: every row satisfies `expression` (rows that do not are returned). -#}
{% test expression_is_true(model, expression) %}
    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)
{% endtest %}
