{{ dbt_alerts.alert_model() }}
-- List cost (USD) of SQL warehouses over the last 7 full days (current_value), beside the 7 days before.
{{ dbt_alerts.percent_change(alert_source('gold', 'fact_usage'), date_column='usage_date', value_column='list_cost', period_days=7, where="billing_origin_product = 'SQL'") }}
