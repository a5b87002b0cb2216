{#- One row per alert-sync apply run: counts, success rate, latency. -#}
select
    sync_run_id,
    sync_started_at,
    sync_ended_at,
    target_name,
    workspace_host,
    dry_run,
    total_alerts,
    success_count,
    error_count,
    created_count,
    updated_count,
    unchanged_count,
    deleted_count,
    skipped_count,
    case when total_alerts - skipped_count > 0
        then cast(success_count as double) / (total_alerts - skipped_count)
        else 1.0
    end as success_rate,
    created_count + updated_count + deleted_count as write_count,
    avg_api_latency_ms,
    p95_api_latency_ms,
    max_api_latency_ms,
    total_duration_seconds,
    error_summary
from {{ source('alert_sync', 'alert_sync_metrics') }}
