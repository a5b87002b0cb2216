{{ dbt_alerts.alert_model() }}
-- Per SKU: yesterday's list cost divided by its average daily cost over the 28 days before (spend_ratio; the alert takes the MAX).
{{ dbt_alerts.cost_spike(alert_source('gold', 'fact_usage'), date_column='usage_date', cost_column='list_cost', group_by=['sku_name'], baseline_days=28) }}
