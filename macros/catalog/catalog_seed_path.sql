{#- Where the catalog seed lives in the project, for messages (e.g. seeds/alert_configurations.csv). -#}
{% macro catalog_seed_path(seed_node=none) -%}
  {%- set seed_node = seed_node or dbt_alerts.catalog_seed_node() -%}
  {{ return(seed_node.original_file_path if seed_node else 'seeds/alert_configurations.csv') }}
{%- endmacro %}
