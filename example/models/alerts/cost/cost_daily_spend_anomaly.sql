{{ dbt_alerts.alert_model() }}
-- Yesterday's total list cost (USD) outside mean +/- 4 stddev of the same weekday's cost over the 4 weeks before (at least 4 of them).
{{ dbt_alerts.anomaly(alert_source('gold', 'fact_usage'), date_column='usage_date', value_column='list_cost', baseline_days=28, k=4, per_weekday=true, min_baseline_days=4) }}
