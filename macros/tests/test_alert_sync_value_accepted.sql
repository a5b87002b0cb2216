{#-
  Column test on the alert_sync tables and models: the column holds only the values alert-sync
  writes there (one list per column name below). Written as a test without arguments because a
  package's generic test arguments need the `arguments:` property on dbt >= 1.10.5 and break
  dbt < 1.10.5: this way no host dbt version warns or fails.
-#}
{% test alert_sync_value_accepted(model, column_name) %}
  {%- set accepted = {
      'action': ['CREATE', 'UPDATE', 'NOOP', 'DELETE', 'ERROR'],
      'status': ['SUCCESS', 'ERROR', 'SKIPPED'],
      'state': ['OK', 'TRIGGERED', 'ERROR'],
      'last_state': ['OK', 'TRIGGERED', 'ERROR'],
      'evaluation_state': ['OK', 'TRIGGERED', 'ERROR', 'UNKNOWN'],
      'lifecycle_state': ['ACTIVE', 'DELETED'],
      'pause_status': ['PAUSED', 'UNPAUSED'],
      'comparison': ['AGREE', 'DISAGREE', 'NOT_COMPARABLE'],
      'local_state': ['OK', 'TRIGGERED', 'ERROR'],
  } -%}
  {%- if column_name not in accepted -%}
    {{ exceptions.raise_compiler_error("alert_sync_value_accepted knows no values for column '" ~ column_name ~ "'") }}
  {%- endif -%}
  select {{ adapter.quote(column_name) }} as value
  from {{ model }}
  where {{ adapter.quote(column_name) }} is not null
    and {{ adapter.quote(column_name) }} not in (
      {%- for value in accepted[column_name] -%}{{ dbt_alerts.quote_string(value) }}{{ ', ' if not loop.last }}{%- endfor -%})
{% endtest %}
