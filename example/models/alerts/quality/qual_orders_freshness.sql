{{ dbt_alerts.alert_model() }}
-- Hours since gold.fact_orders was last written (max record_updated_timestamp); 9999 when the table is empty.
{{ dbt_alerts.data_freshness(alert_source('gold', 'fact_orders'), timestamp_column='record_updated_timestamp') }}
