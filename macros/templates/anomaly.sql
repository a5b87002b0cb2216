{#-
  Anomaly: yesterday's value outside mean ± k·stddev of the same value over the `baseline_days`
  days before, optionally per group. The value of a day is the sum of `value_column` over that
  day's rows (`date_column`, relative to dbt_alerts.alerts_today(); today is left out).

  With per_weekday=true the baseline is only the days of the same weekday as yesterday (a Monday
  against the previous Mondays), for data with a weekly rhythm; baseline_days must then be a
  multiple of 7 (28 = four Mondays). Days without any row are not in the baseline (no data is not
  a zero), and a baseline of fewer than `min_baseline_days` days (default: half the days it can
  hold, at least 2) never flags an anomaly. The mean is avg(), the stddev the sample standard
  deviation stddev_samp() of the baseline days.

    {{ dbt_alerts.anomaly(ref('fact_usage'), date_column='usage_date', value_column='list_cost',
                          baseline_days=28, k=3, per_weekday=true) }}

  Output, one row per group (one row when group_by is empty), the largest |z_score| first:
    <group_by columns>, current_value (yesterday; 0 without rows), baseline_mean, baseline_stddev,
    baseline_days (days in the baseline), lower_bound, upper_bound (mean ∓ k·stddev), z_score
    ((current - mean) / stddev), is_anomaly (true when current_value is outside
    [lower_bound, upper_bound], false otherwise or with too short a baseline). Rounded to 2 decimals.
  Catalog: threshold_column is_anomaly, operator =, BOOLEAN true (both directions); or
  current_value > COLUMN upper_bound for spikes only. Choose k here, not in the catalog.
-#}
{% macro anomaly(relation=none, date_column=none, value_column=none, baseline_days=28, k=3, per_weekday=false,
                 min_baseline_days=none, group_by=[], where=none) -%}
  {{- dbt_alerts.template_require('anomaly',
        {'relation': relation, 'date_column': date_column, 'value_column': value_column},
        "dbt_alerts.anomaly(ref('fact_usage'), date_column='usage_date', value_column='list_cost', k=3)",
        positive_integers={'baseline_days': baseline_days, 'min_baseline_days': 2 if min_baseline_days is none else min_baseline_days},
        positive_numbers={'k': k}) -}}
  {%- if per_weekday and baseline_days % 7 != 0 -%}
    {%- do exceptions.raise_compiler_error("Alert model '" ~ model.name ~ "': dbt_alerts.anomaly() with per_weekday=true needs "
          ~ "baseline_days as a multiple of 7 (got " ~ baseline_days ~ "); e.g. baseline_days=28 compares with the 4 previous same weekdays.") -%}
  {%- endif -%}
  {%- set possible_days = (baseline_days // 7) if per_weekday else baseline_days -%}
  {%- set min_days = min_baseline_days if min_baseline_days is not none else [2, possible_days // 2] | max -%}
  {%- if min_days < 2 -%}
    {%- do exceptions.raise_compiler_error("Alert model '" ~ model.name ~ "': dbt_alerts.anomaly() needs a baseline of at least 2 days "
          ~ "for a standard deviation (min_baseline_days=" ~ min_days ~ "); raise baseline_days or min_baseline_days.") -%}
  {%- elif min_days > possible_days -%}
    {%- do exceptions.raise_compiler_error("Alert model '" ~ model.name ~ "': dbt_alerts.anomaly() could never fire: min_baseline_days="
          ~ min_days ~ " but the baseline holds at most " ~ possible_days ~ " days" ~ (" (same weekday)" if per_weekday else "")
          ~ "; lower min_baseline_days or raise baseline_days.") -%}
  {%- endif -%}
  {%- set groups = [group_by] if group_by is string else group_by -%}
  {%- set yesterday -%} cast({{ dbt.dateadd('day', -1, dbt_alerts.alerts_today()) }} as date) {%- endset -%}
  {#- Same weekday: a whole number of weeks before yesterday (portable: no engine's weekday numbering). -#}
  {%- set in_baseline = 'days_ago > 0' ~ (' and days_ago % 7 = 0' if per_weekday else '') -%}
with daily as (
    select
        {%- for column in groups %}
        {{ column }},
        {%- endfor %}
        {{ dbt.datediff(date_column, yesterday, 'day') }} as days_ago,
        cast(sum({{ value_column }}) as double) as daily_value
    from {{ relation }}
    {{ dbt_alerts.template_days_window(date_column, baseline_days + 1, where) }}
    group by {% for column in groups %}{{ column }}, {% endfor %}{{ date_column }}
),

baseline as (
    select
        {%- for column in groups %}
        {{ column }},
        {%- endfor %}
        coalesce(sum(case when days_ago = 0 then daily_value end), 0) as current_value,
        avg(case when {{ in_baseline }} then daily_value end) as baseline_mean,
        stddev_samp(case when {{ in_baseline }} then daily_value end) as baseline_stddev,
        count(case when {{ in_baseline }} then daily_value end) as baseline_days
    from daily
    {%- if groups %}
    group by {{ groups | join(', ') }}
    {%- endif %}
),

bounds as (
    select
        *,
        case when baseline_days >= {{ min_days }} then baseline_mean - {{ k }} * baseline_stddev end as lower_bound,
        case when baseline_days >= {{ min_days }} then baseline_mean + {{ k }} * baseline_stddev end as upper_bound
    from baseline
)

select
    {%- for column in groups %}
    {{ column }},
    {%- endfor %}
    round(current_value, 2) as current_value,
    round(baseline_mean, 2) as baseline_mean,
    round(baseline_stddev, 2) as baseline_stddev,
    baseline_days,
    round(lower_bound, 2) as lower_bound,
    round(upper_bound, 2) as upper_bound,
    round((current_value - baseline_mean) / nullif(baseline_stddev, 0), 2) as z_score,
    coalesce(current_value < lower_bound or current_value > upper_bound, false) as is_anomaly
from bounds
order by abs((current_value - baseline_mean) / nullif(baseline_stddev, 0)) desc nulls last
{%- endmacro %}
