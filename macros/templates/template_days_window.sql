{#-
  The WHERE clause every day-based template reads: the `days` whole days before today
  (dbt_alerts.alerts_today(), so backtests move it), and the caller's optional `where` filter.
    {{ dbt_alerts.template_days_window(date_column, baseline_days + 1, where) }}
-#}
{% macro template_days_window(date_column, days, where=none) -%}
where {{ date_column }} >= cast({{ dbt.dateadd('day', -days, dbt_alerts.alerts_today()) }} as date)
      and {{ date_column }} < {{ dbt_alerts.alerts_today() }}
      {%- if where %}
      and ({{ where }})
      {%- endif %}
{%- endmacro %}
