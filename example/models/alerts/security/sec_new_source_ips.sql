{{ dbt_alerts.alert_model() }}
-- Source IP addresses seen in the last 24 hours that made no request in the 30 days before.
with recent as (
    select distinct source_ip_address
    from {{ alert_source('system_access', 'audit') }}
    where event_date >= cast({{ dbt.dateadd('day', -2, dbt_alerts.alerts_today()) }} as date)
      and event_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
      and event_time < {{ dbt_alerts.alerts_now() }}
      and source_ip_address is not null
),

known as (
    select distinct source_ip_address
    from {{ alert_source('system_access', 'audit') }}
    where event_date >= cast({{ dbt.dateadd('day', -32, dbt_alerts.alerts_today()) }} as date)
      and event_time >= {{ dbt.dateadd('day', -31, dbt_alerts.alerts_now()) }}
      and event_time < {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
)

select
    count(*) as new_ip_count
from recent as r
left join known as k
    on k.source_ip_address = r.source_ip_address
where k.source_ip_address is null
