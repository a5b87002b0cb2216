{#-
  "Now" for alert queries, as a SQL timestamp expression. Alert queries use this instead of
  current_timestamp()/current_date() so they can be evaluated as of a past moment (backtests):
    1. setting `alerts_as_of` when set (e.g. --vars '{alerts_as_of: "2026-10-15"}');
    2. on a DuckDB target, setting `alerts_local_as_of` when set (the example project pins it to
       its sample data's anchor, so the demo gives the same answers on any day);
    3. otherwise the warehouse clock.
-#}
{% macro alerts_now() -%}
  {%- set as_of = dbt_alerts.alerts_as_of_setting() -%}
  {%- if as_of -%}
    cast({{ dbt_alerts.quote_string(as_of) }} as timestamp)
  {%- else -%}
    {{ dbt.current_timestamp() }}
  {%- endif -%}
{%- endmacro %}

{#- The pinned "now" (steps 1 and 2 above), or none for the warehouse clock. -#}
{% macro alerts_as_of_setting() -%}
  {%- set as_of = dbt_alerts.get_config_var('alerts_as_of') -%}
  {%- if not as_of and target.type == 'duckdb' -%}
    {%- set as_of = dbt_alerts.get_config_var('alerts_local_as_of') -%}
  {%- endif -%}
  {{ return(as_of or none) }}
{%- endmacro %}
