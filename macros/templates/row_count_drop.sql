{#-
  Row-count drop: yesterday's rows against `min_ratio` times the average daily rows of the
  `baseline_days` days before (a day without rows counts 0). Days are dates of `date_column`
  relative to dbt_alerts.alerts_today(); today is left out.

    {{ dbt_alerts.row_count_drop(ref('fact_usage'), date_column='usage_date', baseline_days=7, min_ratio=0.5) }}

  Output, one row: yesterday_rows, baseline_daily_rows (average, 1 decimal), min_expected_rows
  (min_ratio * baseline_daily_rows, 1 decimal).
  Catalog: threshold_column yesterday_rows, operator <, threshold_value_type COLUMN,
  threshold_value min_expected_rows.
-#}
{% macro row_count_drop(relation=none, date_column=none, baseline_days=7, min_ratio=0.5, where=none) -%}
  {{- dbt_alerts.template_require('row_count_drop',
        {'relation': relation, 'date_column': date_column},
        "dbt_alerts.row_count_drop(ref('fact_usage'), date_column='usage_date')",
        positive_integers={'baseline_days': baseline_days}, positive_numbers={'min_ratio': min_ratio}) -}}
  {%- set yesterday -%} cast({{ dbt.dateadd('day', -1, dbt_alerts.alerts_today()) }} as date) {%- endset -%}
with counts as (
    select
        coalesce(sum(case when {{ date_column }} = {{ yesterday }} then 1 else 0 end), 0) as yesterday_rows,
        coalesce(sum(case when {{ date_column }} < {{ yesterday }} then 1 else 0 end), 0) as baseline_rows
    from {{ relation }}
    {{ dbt_alerts.template_days_window(date_column, baseline_days + 1, where) }}
)

select
    yesterday_rows,
    round(baseline_rows / {{ baseline_days }}, 1) as baseline_daily_rows,
    round({{ min_ratio }} * baseline_rows / {{ baseline_days }}, 1) as min_expected_rows
from counts
{%- endmacro %}
