{{ dbt_alerts.alert_model() }}
-- Final state of the latest finished run (last 48 hours) of the job named 'gold_daily_refresh'; no
-- row when it did not run. A run counts once, with its final state (macros/finished_runs.sql);
-- the job's name is its current one (macros/current_versions.sql: jobs is SCD2), deleted jobs left out.
-- Docs: https://docs.databricks.com/aws/en/admin/system-tables/jobs (job_run_timeline, jobs SCD2)
--       https://docs.databricks.com/aws/en/admin/system-tables/jobs-cost (repairs: rows per run_id)
select
    j.name as job_name,
    r.run_id,
    r.result_state as last_result_state,
    r.period_end_time as finished_at
from {{ finished_runs('job_run_timeline', 48) }} as r
inner join {{ current_versions('system_lakeflow', 'jobs', 'job_id') }} as j
    on j.workspace_id = r.workspace_id and j.job_id = r.job_id
where (j.delete_time is null or j.delete_time >= {{ dbt_alerts.alerts_now() }})
  and j.name = 'gold_daily_refresh'
order by r.period_end_time desc
limit 1
