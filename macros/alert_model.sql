{#-
  First line of every alert query model:  {{ alert_model() }}
  - sets materialized='alert' (see materializations/alert.sql);
  - declares the dependency on the catalog seed, so dbt runs the seed first and the
    materialization can read this model's catalog row;
  - records in the node's meta the deployment settings dbt resolved for this target (vars, target
    name), so alert-sync deploys exactly what this build compiled and validated.
  Renders nothing: the compiled SQL stays exactly the query that will be deployed.
-#}
{% macro alert_model() -%}
  {{- config(materialized='alert', tags=['alert'], meta={'alert_sync': {
        'target_name': target.name,
        'display_name_prefix': var('alerts_display_name_prefix', ''),
        'warehouse_id': var('alerts_warehouse_id', none),
        'parent_path': var('alerts_parent_path', none),
      }}) -}}
  {%- do ref('alert_configurations') -%}
{%- endmacro %}
