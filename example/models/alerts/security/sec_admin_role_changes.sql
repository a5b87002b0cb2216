{{ dbt_alerts.alert_model() }}
-- Workspace/account admin grants and revocations in the last 24 hours.
select
    count(*) as admin_changes
from {{ alert_source('system_access', 'audit') }}
where event_date >= cast({{ dbt.dateadd('day', -2, dbt_alerts.alerts_today()) }} as date)
  and event_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
  and event_time < {{ dbt_alerts.alerts_now() }}
  and service_name = 'accounts'
  and action_name in ('setAdmin', 'removeAdmin')
