{#-
  One row per run of a managed alert's query on Databricks, from system.query.history (the
  statement's query_source.alert_id names the alert). Disabled unless the setting
  alerts_query_history_enabled is true: a workspace without the query system schema, or a deployer
  without SELECT on it, builds everything else.
  The catalog alert_id: the one alert-sync last saw (alert_observations) or wrote (alert_sync_results)
  for that Databricks id, else the alert_id marker the statement text begins with (identity.py;
  assumed kept in statement_text, as the SQL text the alert ran).
-#}
{{ config(enabled=dbt_alerts.get_config_var('alerts_query_history_enabled')) }}

with history as (
    select
        statement_id,
        query_source.alert_id as databricks_alert_id,
        compute.warehouse_id as warehouse_id,
        execution_status,
        error_message,
        executed_by,
        start_time,
        end_time,
        total_duration_ms,
        regexp_extract(statement_text, '^-- dbt_alerts alert_id: ([A-Za-z0-9_.:-]+)', 1) as marked_alert_id
    from {{ dbt_alerts.alert_query_history() }}
    where query_source.alert_id is not null
),

seen as (
    select databricks_alert_id, alert_id, observed_at as seen_at
    from {{ source('alert_sync', 'alert_observations') }}
    where alert_id is not null
    union all
    select databricks_alert_id, alert_id, synced_at as seen_at
    from {{ source('alert_sync', 'alert_sync_results') }}
    where status = 'SUCCESS' and alert_id is not null and databricks_alert_id is not null
),

known as (
    select databricks_alert_id, alert_id
    from (
        select
            databricks_alert_id,
            alert_id,
            row_number() over (partition by databricks_alert_id order by seen_at desc, alert_id) as recency
        from seen
    ) as ranked
    where recency = 1
)

select
    h.statement_id,
    coalesce(k.alert_id, nullif(h.marked_alert_id, '')) as alert_id,
    h.databricks_alert_id,
    cast(h.start_time as date) as run_date,
    h.start_time,
    h.end_time,
    h.execution_status,
    h.execution_status = 'FAILED' as failed,
    h.error_message,
    h.total_duration_ms,
    h.warehouse_id,
    h.executed_by
from history as h
left join known as k
    on h.databricks_alert_id = k.databricks_alert_id
