{#-
  Local (DuckDB) stand-in for the alert runs of system.query.history: what dbt_alerts' run-history
  models read on the local target (macros/alert_query_history.sql). The seed keeps the STRUCT
  columns query_source and compute as JSON text; this view gives them back their documented types
  (https://docs.databricks.com/en/admin/system-tables/query-history.html).
-#}
{{ config(materialized='view', schema='sample_data', enabled=(target.type == 'duckdb')) }}

select
    account_id,
    workspace_id,
    statement_id,
    execution_status,
    json_transform(compute, '{"type": "VARCHAR", "cluster_id": "VARCHAR", "warehouse_id": "VARCHAR"}') as compute,
    executed_by,
    statement_text,
    statement_type,
    nullif(error_message, '') as error_message,
    client_application,
    start_time,
    end_time,
    total_duration_ms,
    json_transform(query_source,
        '{"alert_id": "VARCHAR", "dashboard_id": "VARCHAR", "notebook_id": "VARCHAR", "sql_query_id": "VARCHAR"}')
        as query_source
from {{ ref('system_query__history_alert_runs_csv') }}
