{#- Whether the root project has a notification_destinations seed (alert-sync reads only the root project's). -#}
{% macro project_has_destinations_seed() -%}
  {%- for node in (graph.nodes.values() if execute else [])
        if node.resource_type == 'seed' and node.name == 'notification_destinations' and node.package_name == project_name -%}
    {{ return(true) }}
  {%- endfor -%}
  {{ return(false) }}
{%- endmacro %}
