{#-
  The catalog seed's rows with every column as trimmed text (agate rows, by column name), optionally
  filtered by `where` (SQL). Casting to text first makes the checks independent of the types dbt
  inferred for the host's seed (an all-integer column, an empty column, true/false), so a host
  needs no seed column_types. A seed that lacks a catalog column stops with the header to use; an
  optional column (dbt_alerts.catalog_optional_columns) it lacks reads as empty.
-#}
{% macro catalog_text_rows(relation, where=none) -%}
  {%- if not execute -%}
    {{ return([]) }}
  {%- endif -%}
  {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
  {%- set missing = dbt_alerts.catalog_columns() | reject('in', present) | list -%}
  {%- if missing -%}
    {{ exceptions.raise_compiler_error(dbt_alerts.catalog_seed_path() ~ " lacks the column(s) " ~ (missing | join(', '))
        ~ ". The alert catalog's header must be: " ~ (dbt_alerts.catalog_columns() | join(','))) }}
  {%- endif -%}
  {%- set query -%}
    select
    {%- for column in dbt_alerts.catalog_columns() %}
      trim(cast({{ adapter.quote(column) }} as {{ dbt.type_string() }})) as {{ column }},
    {%- endfor %}
    {%- for column in dbt_alerts.catalog_optional_columns() %}
      {% if column in present %}trim(cast({{ adapter.quote(column) }} as {{ dbt.type_string() }})){% else %}cast(null as {{ dbt.type_string() }}){% endif %} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ relation }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
  {%- endset -%}
  {{ return(run_query(query).rows) }}
{%- endmacro %}
