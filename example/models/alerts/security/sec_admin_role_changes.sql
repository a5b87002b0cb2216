{{ dbt_alerts.alert_model() }}
-- Workspace and account admin grants and revocations in the last 24 hours, as system.access.audit
-- logs them (service accounts): a principal added to or removed from a workspace's admins group
-- (workspace admins are the members of that group), an account admin role set, the account owner
-- changed. Any other group change is not an admin change.
-- Audit events and their request_params (targetGroupName):
--   https://docs.databricks.com/aws/en/admin/account-settings/audit-logs
-- Workspace admins are the admins group: https://docs.databricks.com/aws/en/admin/users-groups/users
-- request_params is a MAP<STRING, STRING>: https://docs.databricks.com/aws/en/admin/system-tables/audit-logs
select
    count(*) as admin_changes
from {{ alert_source('system_access', 'audit') }}
where event_date >= cast({{ dbt.dateadd('day', -2, dbt_alerts.alerts_today()) }} as date)
  and event_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
  and event_time < {{ dbt_alerts.alerts_now() }}
  and service_name = 'accounts'
  and (
      (action_name in ('addPrincipalToGroup', 'removePrincipalFromGroup')
          and request_params['targetGroupName'] = 'admins')
      or action_name in ('setAccountAdmin', 'changeAccountOwner')
  )
