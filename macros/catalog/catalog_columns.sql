{#- The columns of the alert catalog seed (seeds/alert_configurations.csv), in header order. -#}
{% macro catalog_columns() -%}
  {{ return([
      'alert_id', 'alert_name', 'alert_description', 'agent_domain', 'severity', 'query_model',
      'threshold_column', 'threshold_operator', 'threshold_value_type', 'threshold_value',
      'aggregation_type', 'empty_result_state', 'schedule_cron', 'schedule_timezone', 'pause_status',
      'is_enabled', 'notification_channels', 'notify_on_ok', 'retrigger_seconds', 'custom_summary',
      'custom_description', 'owner',
  ]) }}
{%- endmacro %}
