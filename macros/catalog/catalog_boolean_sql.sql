{#- SQL reading a text column as a boolean the way the catalog checks do (catalog_vocabulary); `empty` is the value of an empty cell. -#}
{% macro catalog_boolean_sql(column, empty) -%}
  {%- set words = dbt_alerts.catalog_vocabulary() -%}
  case lower(coalesce({{ column }}, ''))
      when '' then {{ empty }}
      {%- for word in words['true'] %} when {{ dbt_alerts.quote_string(word) }} then true{% endfor %}
      {%- for word in words['false'] %} when {{ dbt_alerts.quote_string(word) }} then false{% endfor %}
  end
{%- endmacro %}
