{#-
  Cost spike vs a trailing baseline: yesterday's cost against the average daily cost of the
  `baseline_days` days before it, optionally per group (e.g. per SKU). Days are dates of
  `date_column` relative to dbt_alerts.alerts_today(); today (not yet complete) is left out.

    {{ dbt_alerts.cost_spike(ref('fact_usage'), date_column='usage_date', cost_column='list_cost',
                             group_by=['sku_name']) }}

  Output, one row per group (one row when group_by is empty), largest spend_ratio first:
    <group_by columns>, current_cost (yesterday), baseline_daily_cost (sum over the baseline days
    / baseline_days: a day without rows costs 0), spend_ratio (current_cost / baseline_daily_cost;
    NULL when the baseline is 0). Amounts rounded to 2 decimals.
  Catalog: threshold_column spend_ratio (e.g. > 3; aggregation MAX when grouped), or current_cost
  for a static budget (e.g. > 5000).
-#}
{% macro cost_spike(relation=none, date_column=none, cost_column=none, group_by=[], baseline_days=28, where=none) -%}
  {{- dbt_alerts.template_require('cost_spike',
        {'relation': relation, 'date_column': date_column, 'cost_column': cost_column},
        "dbt_alerts.cost_spike(ref('fact_usage'), date_column='usage_date', cost_column='list_cost')",
        positive_integers={'baseline_days': baseline_days}) -}}
  {%- set groups = [group_by] if group_by is string else group_by -%}
  {%- set yesterday -%} cast({{ dbt.dateadd('day', -1, dbt_alerts.alerts_today()) }} as date) {%- endset -%}
with costs as (
    select
        {%- for column in groups %}
        {{ column }},
        {%- endfor %}
        coalesce(sum(case when {{ date_column }} = {{ yesterday }} then {{ cost_column }} else 0 end), 0) as current_cost,
        coalesce(sum(case when {{ date_column }} < {{ yesterday }} then {{ cost_column }} else 0 end), 0) / {{ baseline_days }} as baseline_daily_cost
    from {{ relation }}
    {{ dbt_alerts.template_days_window(date_column, baseline_days + 1, where) }}
    {%- if groups %}
    group by {{ groups | join(', ') }}
    {%- endif %}
)

select
    {%- for column in groups %}
    {{ column }},
    {%- endfor %}
    round(current_cost, 2) as current_cost,
    round(baseline_daily_cost, 2) as baseline_daily_cost,
    round(current_cost / nullif(baseline_daily_cost, 0), 2) as spend_ratio
from costs
order by spend_ratio desc nulls last
{%- endmacro %}
