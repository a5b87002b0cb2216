{#- Split a ';'-separated string column into an array of trimmed items (cross-database). -#}
{% macro split_list(column) -%}
  {{ return(adapter.dispatch('split_list', 'dbt_alerts')(column)) }}
{%- endmacro %}

{% macro default__split_list(column) -%}
  split(trim({{ column }}), '\\s*;\\s*')
{%- endmacro %}

{% macro duckdb__split_list(column) -%}
  regexp_split_to_array(trim({{ column }}), '\s*;\s*')
{%- endmacro %}
