{#-
  The rows of a slowly changing (SCD2) system table as they are "now", one per object: its latest
  change before alerts_now(). system.lakeflow.jobs and system.compute.clusters keep a row per
  change, keyed by workspace_id and the object's id; a deleted object keeps a row with
  delete_time, which the caller filters as it needs. Every column of the table is kept.

    from {{ current_versions('system_compute', 'clusters', 'cluster_id') }} as clusters

  Docs: https://docs.databricks.com/aws/en/admin/system-tables/jobs (jobs is a slowly changing dimension)
        https://docs.databricks.com/aws/en/admin/system-tables/compute (clusters is a slowly changing dimension)
-#}
{% macro current_versions(source_name, table_name, id_column) -%}
(
    select *
    from (
        select
            *,
            row_number() over (partition by workspace_id, {{ id_column }} order by change_time desc) as version_rank
        from {{ alert_source(source_name, table_name) }}
        where change_time < {{ dbt_alerts.alerts_now() }}
    ) as versions
    where version_rank = 1
)
{%- endmacro %}
