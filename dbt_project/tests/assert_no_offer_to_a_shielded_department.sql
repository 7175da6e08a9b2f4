-- Question 4: no dwelling in a shielded department may be offered. A warning, not an error: the
-- finding belongs in the report (marts.shielded_allocations), and the run goes on.
{{ config(severity='warn') }}

select * from {{ ref('shielded_allocations') }}
