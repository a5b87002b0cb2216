{{ dbt_alerts.alert_model() }}
-- Whether any order of the last 7 days has a missing, zero or negative amount.
select
    count(*) > 0 as has_invalid_amounts,
    count(*) as invalid_orders
from {{ alert_source('gold', 'fact_orders') }}
where order_date >= cast({{ dbt.dateadd('day', -7, dbt_alerts.alerts_today()) }} as date)
  and order_date <= {{ dbt_alerts.alerts_today() }}
  and (order_amount is null or order_amount <= 0)
