{{ dbt_alerts.alert_model() }}
-- List cost of the last 7 full days vs the 7 days before, as a growth percentage.
with periods as (
    select
        sum(case when usage_date >= cast({{ dbt.dateadd('day', -7, dbt_alerts.alerts_today()) }} as date) then list_cost else 0 end) as last_7d_cost,
        sum(case when usage_date < cast({{ dbt.dateadd('day', -7, dbt_alerts.alerts_today()) }} as date) then list_cost else 0 end) as prior_7d_cost
    from {{ alert_source('gold', 'fact_usage') }}
    where usage_date >= cast({{ dbt.dateadd('day', -14, dbt_alerts.alerts_today()) }} as date)
      and usage_date < {{ dbt_alerts.alerts_today() }}
)

select
    round(last_7d_cost, 2) as last_7d_cost,
    round(prior_7d_cost, 2) as prior_7d_cost,
    round(100.0 * (last_7d_cost - prior_7d_cost) / nullif(prior_7d_cost, 0), 2) as wow_growth_pct
from periods
