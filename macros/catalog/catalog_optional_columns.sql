{#-
  Columns the alert catalog seed may have but need not: a catalog without them keeps working
  (catalog_text_rows and stg_alert_configurations read a missing one as empty).
  - display_name: the alert's display name when it does not follow `[<severity>] <alert_name>`
    (e.g. an alert brought in by `alert-sync import`); the setting alerts_display_name_prefix is
    still put in front of it.
-#}
{% macro catalog_optional_columns() -%}
  {{ return(['display_name']) }}
{%- endmacro %}
