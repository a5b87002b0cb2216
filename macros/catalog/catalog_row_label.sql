{#- How a catalog row is named in errors: its alert_id, or its alert_name when the id is missing. -#}
{% macro catalog_row_label() -%}
  coalesce(alert_id, {{ dbt.concat(["'(row without alert_id, alert_name='", "coalesce(alert_name, '')", "')'"]) }})
{%- endmacro %}
