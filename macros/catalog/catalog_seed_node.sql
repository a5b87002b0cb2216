{#-
  The graph node of the project's alert catalog seed (alert_configurations), or none. With
  `depends_on_of` (an alert model node): the catalog seed that model depends on.
  The seed belongs to the host project; the package ships no enabled seed of that name.
-#}
{% macro catalog_seed_node(depends_on_of=none) -%}
  {%- set found = [] -%}
  {%- set nodes = graph.nodes.values() if execute else [] -%}  {#- the graph is empty while dbt parses -#}
  {%- for node in nodes if node.resource_type == 'seed' and node.name == 'alert_configurations' -%}
    {%- if depends_on_of is none or node.unique_id in depends_on_of.depends_on.nodes -%}
      {%- do found.append(node) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- for node in found if node.package_name == project_name -%}
    {{ return(node) }}
  {%- endfor -%}
  {{ return(found[0] if found else none) }}
{%- endmacro %}
