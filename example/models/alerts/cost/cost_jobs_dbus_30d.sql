{{ dbt_alerts.alert_model() }}
-- Jobs DBUs per SKU over the last 30 full days (the alert SUMs the rows; no rows at all means billing data is missing).
select
    sku_name,
    round(sum(usage_quantity), 2) as jobs_dbus
from {{ alert_source('system_billing', 'usage') }}
where usage_date >= cast({{ dbt.dateadd('day', -30, dbt_alerts.alerts_today()) }} as date)
  and usage_date < {{ dbt_alerts.alerts_today() }}
  and billing_origin_product = 'JOBS'
  and usage_unit = 'DBU'
group by sku_name
order by jobs_dbus desc
