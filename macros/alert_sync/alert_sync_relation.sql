{#-
  The relation of a table of source `alert_sync` (declared in models/alert_sync/_alert_sync__sources.yml),
  read from the graph: usable where source() would add a dependency (the materialization, hooks).
-#}
{% macro alert_sync_relation(table_name) -%}
  {%- for source in graph.sources.values() if source.source_name == 'alert_sync' and source.name == table_name -%}
    {{ return(api.Relation.create(database=source.database, schema=source.schema, identifier=source.identifier)) }}
  {%- endfor -%}
  {{ return(none) }}
{%- endmacro %}
