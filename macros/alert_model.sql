{#-
  First line of every alert query model:  {{ dbt_alerts.alert_model() }}
  - sets materialized='alert' (see materializations/alert.sql) and the tag `alert`;
  - refs the catalog seed alert_configurations of the project, so dbt orders the seed first and
    the materialization can read and check this model's catalog row;
  - records in the node's meta the deploy settings dbt resolved for this target, so alert-sync
    deploys exactly what this build compiled and validated; also the pinned "now" of the build
    (as_of: see alerts_now, none when it is the warehouse clock) and the rules `alert-sync lint`
    skips for the whole project (setting alerts_lint_disable).
  Renders nothing: the compiled SQL stays exactly the query that will be deployed.
-#}
{% macro alert_model() -%}
  {{- config(materialized='alert', tags=['alert'], meta={'alert_sync': {
        'target_name': target.name,
        'display_name_prefix': dbt_alerts.get_config_var('alerts_display_name_prefix') or '',
        'warehouse_id': dbt_alerts.get_config_var('alerts_warehouse_id'),
        'parent_path': dbt_alerts.get_config_var('alerts_parent_path'),
        'run_as': dbt_alerts.get_config_var('alerts_run_as'),
        'as_of': dbt_alerts.alerts_as_of_setting(),
        'lint_disable': dbt_alerts.get_config_var('alerts_lint_disable') or [],
        'dbu_per_hour': dbt_alerts.get_config_var('alerts_dbu_per_hour'),
      }}) -}}
  {%- do ref('alert_configurations') -%}
{%- endmacro %}
