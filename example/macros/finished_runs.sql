{#-
  The runs that finished in the `hours` before "now", one row per run: the row that carries its
  final state. `table_name` is job_run_timeline (job runs) or job_task_run_timeline (task runs);
  every column of the table is kept.

    from {{ finished_runs('job_run_timeline', 24) }} as runs

  Both tables slice a run into rows of at most an hour, with result_state only on the row that
  ends an attempt, and a repaired run has such a row per attempt (same run_id): a run's final state
  is its latest row with a result_state. Counting rows instead would count a repaired run once per
  attempt.
  Docs: https://docs.databricks.com/aws/en/admin/system-tables/jobs (timeline slices)
        https://docs.databricks.com/aws/en/admin/system-tables/jobs-cost (repairs: rows per run_id)
-#}
{% macro finished_runs(table_name, hours) -%}
(
    select *
    from (
        select
            *,
            row_number() over (partition by workspace_id, job_id, run_id order by period_end_time desc) as latest_first
        from {{ alert_source('system_lakeflow', table_name) }}
        where result_state is not null
          and period_end_time >= {{ dbt.dateadd('hour', -hours, dbt_alerts.alerts_now()) }}
          and period_end_time < {{ dbt_alerts.alerts_now() }}
    ) as attempts
    where latest_first = 1
)
{%- endmacro %}
