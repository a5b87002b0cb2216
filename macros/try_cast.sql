{#-
  `field` cast to `type`, or null when it does not convert: a bad number in the catalog seed
  (e.g. retrigger_seconds 'soon') must read as null, not fail every query of the model, and the
  catalog checks then name the row. dbt.safe_cast is a plain cast on DuckDB, Spark and Databricks
  (dbt-core default__safe_cast, dbt-spark spark__safe_cast), and a plain cast of bad text fails
  under ANSI mode (Databricks SQL's default: CAST_INVALID_INPUT). Databricks dispatches to the
  spark__ version (dbt-databricks declares dbt-spark its parent adapter).
-#}
{% macro try_cast(field, type) -%}
  {{ return(adapter.dispatch('try_cast', 'dbt_alerts')(field, type)) }}
{%- endmacro %}

{% macro default__try_cast(field, type) -%}
  {{ dbt.safe_cast(field, type) }}
{%- endmacro %}

{#- DuckDB: TRY_CAST (https://duckdb.org/docs/sql/expressions/cast). -#}
{% macro duckdb__try_cast(field, type) -%}
  try_cast({{ field }} as {{ type }})
{%- endmacro %}

{#- Spark SQL 3.2+ and Databricks SQL: try_cast (Databricks docs, "try_cast function"). -#}
{% macro spark__try_cast(field, type) -%}
  try_cast({{ field }} as {{ type }})
{%- endmacro %}
