{#-
  "Now" for alert queries, as a SQL timestamp expression. Alert queries use this instead of
  current_timestamp()/current_date() so they can be evaluated as of a past moment (backtests):
    1. var `alerts_as_of` when set (e.g. --vars '{alerts_as_of: "2026-10-15"}');
    2. on the local DuckDB target, var `alerts_local_as_of` (the sample data's anchor), so the
       demo gives the same answers on any day;
    3. otherwise the warehouse clock.
-#}
{% macro alerts_now() -%}
  {%- set as_of = var('alerts_as_of', none) -%}
  {%- if as_of is none and target.type == 'duckdb' -%}
    {%- set as_of = var('alerts_local_as_of', none) -%}
  {%- endif -%}
  {%- if as_of -%}
    cast('{{ as_of }}' as timestamp)
  {%- else -%}
    {{ dbt.current_timestamp() }}
  {%- endif -%}
{%- endmacro %}
