{{ dbt_alerts.alert_model() }}
-- Personal access tokens generated in the last 7 days.
select
    count(*) as tokens_created
from {{ alert_source('system_access', 'audit') }}
where event_date >= cast({{ dbt.dateadd('day', -8, dbt_alerts.alerts_today()) }} as date)
  and event_time >= {{ dbt.dateadd('day', -7, dbt_alerts.alerts_now()) }}
  and event_time < {{ dbt_alerts.alerts_now() }}
  and service_name = 'accounts'
  and action_name = 'generateDbToken'
