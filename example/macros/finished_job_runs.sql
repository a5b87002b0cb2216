{#-
  The job runs that finished in the `hours` before "now", one row per run with its final state:
  (workspace_id, job_id, run_id, result_state, finished_at). Use it as a relation:

    from {{ finished_job_runs(24) }} as runs

  system.lakeflow.job_run_timeline slices a run into rows of at most an hour, with result_state
  only on the row that ends it, and a repaired run has such a row per attempt (same run_id): a
  run's final state is its latest row with a result_state. Counting rows instead would count a
  repaired run once per attempt.
  Docs: https://docs.databricks.com/aws/en/admin/system-tables/jobs (job_run_timeline slices)
        https://docs.databricks.com/aws/en/admin/system-tables/jobs-cost (repairs: rows per run_id)
-#}
{% macro finished_job_runs(hours) -%}
(
    select workspace_id, job_id, run_id, result_state, period_end_time as finished_at
    from (
        select
            workspace_id,
            job_id,
            run_id,
            result_state,
            period_end_time,
            row_number() over (partition by workspace_id, job_id, run_id order by period_end_time desc) as latest_first
        from {{ alert_source('system_lakeflow', 'job_run_timeline') }}
        where result_state is not null
          and period_end_time >= {{ dbt.dateadd('hour', -hours, dbt_alerts.alerts_now()) }}
          and period_end_time < {{ dbt_alerts.alerts_now() }}
    ) as attempts
    where latest_first = 1
)
{%- endmacro %}
