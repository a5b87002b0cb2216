{#- How a catalog row (text values) is named in messages: its alert_id, or its alert_name when the id is missing. -#}
{% macro catalog_row_label(row) -%}
  {{ return((row.alert_id or '') | trim or "(row without alert_id, alert_name '" ~ ((row.alert_name or '') | trim) ~ "')") }}
{%- endmacro %}
