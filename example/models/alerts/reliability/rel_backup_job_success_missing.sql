{{ dbt_alerts.alert_model() }}
-- End time of the last successful run of the job named 'nightly_backup' in the last 48 hours; NULL
-- when there was none. A run counts once, with its final state (macros/finished_runs.sql); the
-- job's name is its current one (macros/current_versions.sql: jobs is SCD2).
-- Docs: https://docs.databricks.com/aws/en/admin/system-tables/jobs (job_run_timeline, jobs SCD2)
--       https://docs.databricks.com/aws/en/admin/system-tables/jobs-cost (repairs: rows per run_id)
select
    cast(max(r.period_end_time) as {{ dbt.type_string() }}) as last_success_time
from {{ finished_runs('job_run_timeline', 48) }} as r
inner join {{ current_versions('system_lakeflow', 'jobs', 'job_id') }} as j
    on j.workspace_id = r.workspace_id and j.job_id = r.job_id
where j.name = 'nightly_backup'
  and r.result_state = 'SUCCEEDED'
