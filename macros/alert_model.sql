{#-
  First line of every alert query model:  {{ alert_model() }}
  Sets materialized='alert' and declares the dependency on the catalog seed, so dbt runs the
  seed first and the alert materialization can read this model's catalog row. Renders nothing:
  the compiled SQL stays exactly the query that will be deployed.
-#}
{% macro alert_model() -%}
  {{- config(materialized='alert', tags=['alert']) -}}
  {%- do ref('alert_configurations') -%}
{%- endmacro %}
