{{ dbt_alerts.alert_model() }}
-- Failed logins per user in the last 24 hours (one row per user; the alert takes the MAX).
-- Logins are authentication events of service accounts whose request_params hold the user; a
-- refused one answers 401 or 403 (response.status_code). The log can leave user_identity.email empty
-- for a refused login, so the user is user_identity.email, else request_params['user'].
-- Events: https://docs.databricks.com/aws/en/admin/account-settings/audit-logs
-- Columns (user_identity and response STRUCTs, request_params MAP<STRING, STRING>):
--   https://docs.databricks.com/aws/en/admin/system-tables/audit-logs
with failed_logins as (
    select
        coalesce(nullif(user_identity.email, ''), request_params['user']) as user_email,
        source_ip_address,
        event_time
    from {{ alert_source('system_access', 'audit') }}
    where event_date >= cast({{ dbt.dateadd('day', -2, dbt_alerts.alerts_today()) }} as date)
      and event_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
      and event_time < {{ dbt_alerts.alerts_now() }}
      and service_name = 'accounts'
      and lower(action_name) like '%login%'
      and response.status_code in (401, 403)
)

select
    user_email,
    count(*) as failed_logins,
    count(distinct source_ip_address) as source_ips,
    max(event_time) as last_failure_at
from failed_logins
group by user_email
order by failed_logins desc
