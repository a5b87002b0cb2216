{{ dbt_alerts.alert_model() }}
-- Share (%) of gold.dim_customers rows without an email address (NULL or blank).
{{ dbt_alerts.null_rate(alert_source('gold', 'dim_customers'), column='email', blank_is_null=true) }}
