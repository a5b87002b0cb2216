{#-
  Per alert and day: how its query really ran on Databricks (system.query.history through
  alert_query_runs): runs, failures with the last error, total and p95 duration, the warehouse.
  Disabled unless the setting alerts_query_history_enabled is true.
-#}
{{ config(enabled=dbt_alerts.get_config_var('alerts_query_history_enabled')) }}

with runs as (
    select * from {{ ref('alert_query_runs') }}
),

per_day as (
    select
        databricks_alert_id,
        run_date,
        max(alert_id) as alert_id,
        count(*) as runs,
        sum(case when failed then 1 else 0 end) as failed_runs,
        sum(case when execution_status = 'CANCELED' then 1 else 0 end) as canceled_runs,
        max(case when failed then start_time end) as last_failed_at,
        sum(total_duration_ms) as total_duration_ms,
        percentile_cont(0.95) within group (order by total_duration_ms) as p95_duration_ms,
        max(total_duration_ms) as max_duration_ms,
        max_by(warehouse_id, start_time) as warehouse_id,
        count(distinct warehouse_id) as warehouses,
        max(start_time) as last_run_at
    from runs
    group by databricks_alert_id, run_date
),

last_errors as (
    select databricks_alert_id, run_date, max_by(error_message, start_time) as last_error
    from runs
    where failed
    group by databricks_alert_id, run_date
)

select
    d.databricks_alert_id || '|' || cast(d.run_date as string) as alert_day_key,
    d.alert_id,
    c.display_name,
    c.agent_domain,
    c.severity,
    d.databricks_alert_id,
    d.run_date,
    d.runs,
    d.failed_runs,
    d.canceled_runs,
    e.last_error,
    d.last_failed_at,
    d.total_duration_ms,
    d.p95_duration_ms,
    d.max_duration_ms,
    d.warehouse_id,
    d.warehouses,
    d.last_run_at
from per_day as d
left join last_errors as e
    on d.databricks_alert_id = e.databricks_alert_id and d.run_date = e.run_date
left join {{ ref('stg_alert_configurations') }} as c
    on d.alert_id = c.alert_id
