{{ dbt_alerts.alert_model() }}
-- Per SKU: yesterday's list cost divided by its average daily cost over the 28 days before (the alert takes the MAX).
with sku_cost as (
    select
        sku_name,
        sum(case when usage_date = cast({{ dbt.dateadd('day', -1, dbt_alerts.alerts_today()) }} as date) then list_cost else 0 end) as yesterday_cost,
        sum(case when usage_date < cast({{ dbt.dateadd('day', -1, dbt_alerts.alerts_today()) }} as date) then list_cost else 0 end) / 28 as avg_daily_cost_28d
    from {{ alert_source('gold', 'fact_usage') }}
    where usage_date >= cast({{ dbt.dateadd('day', -29, dbt_alerts.alerts_today()) }} as date)
      and usage_date < {{ dbt_alerts.alerts_today() }}
    group by sku_name
)

select
    sku_name,
    round(yesterday_cost, 2) as yesterday_cost,
    round(avg_daily_cost_28d, 2) as avg_daily_cost_28d,
    round(yesterday_cost / nullif(avg_daily_cost_28d, 0), 2) as spend_ratio
from sku_cost
order by spend_ratio desc
