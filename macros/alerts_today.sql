{#- Today's date according to dbt_alerts.alerts_now(): the date to anchor day-based alert windows on. -#}
{% macro alerts_today() -%}
  cast({{ dbt_alerts.alerts_now() }} as date)
{%- endmacro %}
