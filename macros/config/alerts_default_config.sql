{#-
  Every setting of the dbt_alerts package and its default: the one place defaults live. Read a
  setting with dbt_alerts.get_config_var(name), never with var() (see there why); the one
  exception is alert_sync_schema, read with var() by models/alert_sync/_alert_sync__sources.yml
  (a yml cannot call macros), where none means the target schema.
-#}
{% macro alerts_default_config() -%}
  {{ return({
      'alerts_display_name_prefix': '',
      'alerts_parent_path': none,
      'alerts_warehouse_id': none,
      'alerts_run_as': none,
      'alerts_as_of': none,
      'alerts_local_as_of': none,
      'alert_sync_schema': none,
      'alerts_accepted_domains': ['COST', 'SECURITY', 'PERFORMANCE', 'RELIABILITY', 'QUALITY'],
      'alerts_query_history_enabled': false,
      'alerts_lint_disable': [],
      'alerts_dbu_per_hour': none,
  }) }}
{%- endmacro %}
