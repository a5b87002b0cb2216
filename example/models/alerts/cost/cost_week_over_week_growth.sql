{{ dbt_alerts.alert_model() }}
-- List cost of the last 7 full days vs the 7 days before, as a growth percentage (change_pct).
{{ dbt_alerts.percent_change(alert_source('gold', 'fact_usage'), date_column='usage_date', value_column='list_cost', period_days=7) }}
