{#-
  Creates the alert_sync source tables when absent, from the columns and data_types declared in
  models/alert_sync/_alert_sync__sources.yml (the one definition; alert-sync builds the same DDL
  from the manifest). Runs as the package's on-run-start hook, so the alert_sync models build
  before the first sync and the catalog load record has somewhere to go.
-#}
{% macro alert_sync_create_tables() -%}
  {%- if execute -%}
    {%- for source in graph.sources.values() if source.source_name == 'alert_sync' -%}
      {%- do adapter.create_schema(api.Relation.create(database=source.database, schema=source.schema)) -%}
      {%- set columns = [] -%}
      {%- for column in source.columns.values() -%}
        {%- do columns.append(adapter.quote(column.name) ~ ' ' ~ column.data_type) -%}
      {%- endfor -%}
      {%- call statement('create_' ~ source.name, auto_begin=False) -%}
        create table if not exists {{ source.relation_name }} ({{ columns | join(', ') }})
      {%- endcall -%}
    {%- endfor -%}
  {%- endif -%}
{%- endmacro %}
