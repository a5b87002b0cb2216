{{ dbt_alerts.alert_model() }}
-- Serverless DBUs (SQL, jobs, notebooks) per day over the last 7 full days (the alert SUMs the rows).
select
    usage_date,
    round(sum(usage_quantity), 2) as serverless_dbus
from {{ alert_source('system_billing', 'usage') }}
where usage_date >= cast({{ dbt.dateadd('day', -7, dbt_alerts.alerts_today()) }} as date)
  and usage_date < {{ dbt_alerts.alerts_today() }}
  and usage_unit = 'DBU'
  and sku_name like '%SERVERLESS%'
group by usage_date
order by usage_date
