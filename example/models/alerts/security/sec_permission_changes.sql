{{ dbt_alerts.alert_model() }}
-- Unity Catalog permission changes (GRANT/REVOKE) in the last 24 hours.
select
    count(*) as permission_changes,
    count(distinct workspace_id) as workspaces
from {{ alert_source('system_access', 'audit') }}
where event_date >= cast({{ dbt.dateadd('day', -2, dbt_alerts.alerts_today()) }} as date)
  and event_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
  and event_time < {{ dbt_alerts.alerts_now() }}
  and service_name = 'unityCatalog'
  and action_name = 'updatePermissions'
