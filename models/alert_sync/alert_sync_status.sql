{#- Latest sync outcome per catalog alert (non-dry runs), with catalog context. -#}
with results as (
    select r.*
    from {{ source('alert_sync', 'alert_sync_results') }} as r
    inner join {{ source('alert_sync', 'alert_sync_metrics') }} as m
        on r.sync_run_id = m.sync_run_id
    where not m.dry_run
),

latest as (
    select
        *,
        row_number() over (partition by alert_id order by synced_at desc, sync_run_id desc) as recency
    from results
    where alert_id is not null
),

last_success as (
    select alert_id, max(synced_at) as last_success_at
    from results
    where status = 'SUCCESS'
    group by alert_id
)

select
    c.alert_id,
    c.display_name,
    c.agent_domain,
    c.severity,
    c.is_enabled,
    c.owner,
    l.sync_run_id as last_sync_run_id,
    l.action as last_action,
    l.status as last_status,
    l.databricks_alert_id,
    l.changed_fields as last_changed_fields,
    l.error_message as last_error,
    l.synced_at as last_synced_at,
    s.last_success_at,
    l.alert_id is null as never_synced
from {{ ref('stg_alert_configurations') }} as c
left join latest as l
    on c.alert_id = l.alert_id and l.recency = 1
left join last_success as s
    on c.alert_id = s.alert_id
