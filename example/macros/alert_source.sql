{#-
  A table an alert query reads: the Databricks source on a warehouse, the sample data seed on
  the local DuckDB target. Using ref() locally (instead of a source pointed at the seed's schema)
  lets `dbt build` order the sample seeds before the alert models that read them.

    from {{ alert_source('system_billing', 'usage') }}

  Local seeds are named <source_name>__<table_name> (seeds/sample_data/).
-#}
{% macro alert_source(source_name, table_name) -%}
  {%- if target.type == 'duckdb' -%}
    {{ ref(source_name ~ '__' ~ table_name) }}
  {%- else -%}
    {{ source(source_name, table_name) }}
  {%- endif -%}
{%- endmacro %}
