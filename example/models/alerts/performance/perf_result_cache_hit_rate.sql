{{ dbt_alerts.alert_model() }}
-- Share (%) of SELECTs over the last 7 days answered from the result cache.
select
    round(100.0 * sum(case when from_result_cache then 1 else 0 end) / nullif(count(*), 0), 2) as cache_hit_pct,
    count(*) as statements
from {{ alert_source('system_query', 'history') }}
where start_time >= {{ dbt.dateadd('day', -7, dbt_alerts.alerts_now()) }}
  and start_time < {{ dbt_alerts.alerts_now() }}
  and statement_type = 'SELECT'
