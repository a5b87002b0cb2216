{{ dbt_alerts.alert_model() }}
-- Rows of gold.fact_usage for yesterday vs half the daily average of the 7 days before.
{{ dbt_alerts.row_count_drop(alert_source('gold', 'fact_usage'), date_column='usage_date', baseline_days=7, min_ratio=0.5) }}
