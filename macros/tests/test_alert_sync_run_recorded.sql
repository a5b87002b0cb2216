{#- Column test: every value is the sync_run_id of a row of alert_sync.alert_sync_metrics. -#}
{% test alert_sync_run_recorded(model, column_name) %}
  select child.{{ adapter.quote(column_name) }} as sync_run_id
  from {{ model }} as child
  left join {{ source('alert_sync', 'alert_sync_metrics') }} as runs
    on child.{{ adapter.quote(column_name) }} = runs.sync_run_id
  where child.{{ adapter.quote(column_name) }} is not null and runs.sync_run_id is null
{% endtest %}
