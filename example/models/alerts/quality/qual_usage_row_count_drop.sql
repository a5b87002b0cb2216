{{ dbt_alerts.alert_model() }}
-- Rows of gold.fact_usage for yesterday vs half the daily average of the 7 days before.
select
    sum(case when usage_date = cast({{ dbt.dateadd('day', -1, dbt_alerts.alerts_today()) }} as date) then 1 else 0 end) as yesterday_rows,
    round(0.5 * sum(case when usage_date < cast({{ dbt.dateadd('day', -1, dbt_alerts.alerts_today()) }} as date) then 1 else 0 end) / 7.0, 1) as min_expected_rows
from {{ alert_source('gold', 'fact_usage') }}
where usage_date >= cast({{ dbt.dateadd('day', -8, dbt_alerts.alerts_today()) }} as date)
  and usage_date < {{ dbt_alerts.alerts_today() }}
