{{ dbt_alerts.alert_model() }}
-- Failed logins per user in the last 24 hours (one row per user; the alert takes the MAX).
select
    user_email,
    count(*) as failed_logins,
    count(distinct source_ip_address) as source_ips,
    max(event_time) as last_failure_at
from {{ alert_source('gold', 'fact_audit_events') }}
where event_date >= cast({{ dbt.dateadd('day', -2, dbt_alerts.alerts_today()) }} as date)
  and event_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
  and event_time < {{ dbt_alerts.alerts_now() }}
  and lower(action_name) like '%login%'
  and status_code = 401
group by user_email
order by failed_logins desc
