{{ dbt_alerts.alert_model() }}
-- GiB spilled to local disk by statements started in the last 24 hours (memory pressure), per
-- workspace. The alert reads the first row (no aggregation_type) and the query has no ORDER BY:
-- with more than one workspace the value is any workspace's. `alert-sync lint` says so (rule
-- first-row-unordered), allowed in _alerts.yml for the example's one workspace (docs/lint.md).
select
    workspace_id,
    round(coalesce(sum(spilled_local_bytes), 0) / 1073741824.0, 2) as spilled_gb,
    sum(case when spilled_local_bytes > 0 then 1 else 0 end) as spilling_queries
from {{ alert_source('system_query', 'history') }}
where start_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
  and start_time < {{ dbt_alerts.alerts_now() }}
group by workspace_id
