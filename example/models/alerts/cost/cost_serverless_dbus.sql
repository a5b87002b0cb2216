{{ dbt_alerts.alert_model() }}
-- Serverless DBUs (SQL, jobs, notebooks and any other serverless product) per day over the last 7
-- full days (the alert SUMs the rows). Serverless usage is the one system.billing.usage flags in
-- product_features.is_serverless; a SKU name need not say SERVERLESS.
-- Docs: https://docs.databricks.com/aws/en/admin/system-tables/billing
select
    usage_date,
    round(sum(usage_quantity), 2) as serverless_dbus
from {{ alert_source('system_billing', 'usage') }}
where usage_date >= cast({{ dbt.dateadd('day', -7, dbt_alerts.alerts_today()) }} as date)
  and usage_date < {{ dbt_alerts.alerts_today() }}
  and usage_unit = 'DBU'
  and product_features.is_serverless
group by usage_date
order by usage_date
