{#-
  Percent change vs the previous period: the sum of `value_column` over the last `period_days`
  full days against the `period_days` days before them (e.g. week over week), optionally per
  group. Days are dates of `date_column` relative to dbt_alerts.alerts_today(); today is left out.

    {{ dbt_alerts.percent_change(ref('fact_usage'), date_column='usage_date', value_column='list_cost',
                                 period_days=7) }}

  Output, one row per group (one row when group_by is empty), largest change_pct first:
    <group_by columns>, current_value (last period), previous_value (the period before),
    change_pct (100 * (current - previous) / previous; NULL when previous is 0). Rounded to 2 decimals.
  Catalog: threshold_column change_pct (e.g. >= 25), or current_value for a static limit on the
  period's total.
-#}
{% macro percent_change(relation=none, date_column=none, value_column=none, period_days=7, group_by=[], where=none) -%}
  {{- dbt_alerts.template_require('percent_change',
        {'relation': relation, 'date_column': date_column, 'value_column': value_column},
        "dbt_alerts.percent_change(ref('fact_usage'), date_column='usage_date', value_column='list_cost', period_days=7)",
        positive_integers={'period_days': period_days}) -}}
  {%- set groups = [group_by] if group_by is string else group_by -%}
  {%- set period_start -%} cast({{ dbt.dateadd('day', -period_days, dbt_alerts.alerts_today()) }} as date) {%- endset -%}
with periods as (
    select
        {%- for column in groups %}
        {{ column }},
        {%- endfor %}
        coalesce(sum(case when {{ date_column }} >= {{ period_start }} then {{ value_column }} else 0 end), 0) as current_value,
        coalesce(sum(case when {{ date_column }} < {{ period_start }} then {{ value_column }} else 0 end), 0) as previous_value
    from {{ relation }}
    {{ dbt_alerts.template_days_window(date_column, 2 * period_days, where) }}
    {%- if groups %}
    group by {{ groups | join(', ') }}
    {%- endif %}
)

select
    {%- for column in groups %}
    {{ column }},
    {%- endfor %}
    round(current_value, 2) as current_value,
    round(previous_value, 2) as previous_value,
    round(100.0 * (current_value - previous_value) / nullif(previous_value, 0), 2) as change_pct
from periods
order by change_pct desc nulls last
{%- endmacro %}
