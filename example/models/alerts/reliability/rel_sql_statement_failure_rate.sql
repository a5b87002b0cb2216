{{ dbt_alerts.alert_model() }}
-- Share (%) of SQL statements started in the last 24 hours that failed.
{{ dbt_alerts.failure_rate(alert_source('system_query', 'history'), time_column='start_time', state_column='execution_status', failure_states=['FAILED'], window_hours=24) }}
