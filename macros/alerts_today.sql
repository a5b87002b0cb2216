{#- Today's date according to alerts_now(): the date to anchor day-based alert windows on. -#}
{% macro alerts_today() -%}
  cast({{ alerts_now() }} as date)
{%- endmacro %}
