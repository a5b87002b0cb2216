{{ dbt_alerts.alert_model() }}
-- Requests denied with HTTP 401/403 in the last 24 hours (gold audit fact: response.status_code flattened).
select
    count(*) as failed_attempts,
    count(distinct user_email) as users,
    count(distinct source_ip_address) as source_ips
from {{ alert_source('gold', 'fact_audit_events') }}
where event_date >= cast({{ dbt.dateadd('day', -2, dbt_alerts.alerts_today()) }} as date)
  and event_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
  and event_time < {{ dbt_alerts.alerts_now() }}
  and status_code in (401, 403)
