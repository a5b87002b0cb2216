{#-
  dbt_alerts reads system.query.history through the dispatched macro dbt_alerts.alert_query_history()
  (dispatch order in dbt_project.yml). On the local DuckDB target the example answers with its
  sample rows, shaped like the documented table; on Databricks the package's own default reads
  system.query.history.
-#}
{% macro duckdb__alert_query_history() -%}
  {{ return(ref('system_query__history_alert_runs')) }}
{%- endmacro %}
