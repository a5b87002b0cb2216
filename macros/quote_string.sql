{#-
  A SQL string literal holding `value`, escaped for the adapter (dbt.string_literal does not
  escape). Databricks/Spark SQL also treat a backslash in a literal as an escape character.
-#}
{% macro quote_string(value) -%}
  {{ return(adapter.dispatch('quote_string', 'dbt_alerts')(value)) }}
{%- endmacro %}

{% macro default__quote_string(value) -%}
  '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{% macro databricks__quote_string(value) -%}
  '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{% macro spark__quote_string(value) -%}
  {{ dbt_alerts.databricks__quote_string(value) }}
{%- endmacro %}
