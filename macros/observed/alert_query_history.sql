{#-
  The relation of Databricks' query history (system.query.history), read by the run-history models
  (models/observed). Dispatched, so a host can point it elsewhere: the example's DuckDB target
  reads sample rows shaped like the documented table (example/macros/alert_query_history.sql).
-#}
{% macro alert_query_history() -%}
  {{ return(adapter.dispatch('alert_query_history', 'dbt_alerts')()) }}
{%- endmacro %}

{% macro default__alert_query_history() -%}
  {{ return(source('dbt_alerts_system', 'query_history')) }}
{%- endmacro %}
