{{ dbt_alerts.alert_model() }}
-- Requests denied with HTTP 401/403 (response.status_code) in the last 24 hours. The caller is
-- user_identity.email, else (a refused login logged without it) request_params['user'].
-- Columns (user_identity and response STRUCTs, request_params MAP<STRING, STRING>):
--   https://docs.databricks.com/aws/en/admin/system-tables/audit-logs
-- Events: https://docs.databricks.com/aws/en/admin/account-settings/audit-logs
select
    count(*) as failed_attempts,
    count(distinct coalesce(nullif(user_identity.email, ''), request_params['user'])) as users,
    count(distinct source_ip_address) as source_ips
from {{ alert_source('system_access', 'audit') }}
where event_date >= cast({{ dbt.dateadd('day', -2, dbt_alerts.alerts_today()) }} as date)
  and event_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
  and event_time < {{ dbt_alerts.alerts_now() }}
  and response.status_code in (401, 403)
