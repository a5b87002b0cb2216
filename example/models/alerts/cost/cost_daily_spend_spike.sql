{{ dbt_alerts.alert_model() }}
-- Yesterday's total list cost (USD) across all workspaces (current_cost), beside its 28-day daily average.
{{ dbt_alerts.cost_spike(alert_source('gold', 'fact_usage'), date_column='usage_date', cost_column='list_cost') }}
