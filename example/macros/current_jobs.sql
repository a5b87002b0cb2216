{#-
  The jobs as they are "now", one row per job: (workspace_id, job_id, name, delete_time), from
  the SCD2 table system.lakeflow.jobs (a row per change; the latest before "now" wins; a deleted
  job keeps a row with delete_time). Use it as a relation:

    inner join {{ current_jobs() }} as jobs on ...

  Docs: https://docs.databricks.com/aws/en/admin/system-tables/jobs (jobs is a slowly changing dimension)
-#}
{% macro current_jobs() -%}
(
    select workspace_id, job_id, name, delete_time
    from (
        select
            workspace_id,
            job_id,
            name,
            delete_time,
            row_number() over (partition by workspace_id, job_id order by change_time desc) as version_rank
        from {{ alert_source('system_lakeflow', 'jobs') }}
        where change_time < {{ dbt_alerts.alerts_now() }}
    ) as versions
    where version_rank = 1
)
{%- endmacro %}
