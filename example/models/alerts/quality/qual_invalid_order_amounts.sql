{{ dbt_alerts.alert_model() }}
-- One row per order of the last 7 days with a missing, zero or negative amount; no row when there
-- is none, which empty_result_state OK makes OK. The sample data has none, so `alert-sync lint`
-- says the alert watched nothing (rule watches-nothing), allowed in _alerts.yml: here no row is
-- the healthy case (docs/lint.md).
select
    true as has_invalid_amounts,
    order_id,
    order_date,
    order_amount
from {{ alert_source('gold', 'fact_orders') }}
where order_date >= cast({{ dbt.dateadd('day', -7, dbt_alerts.alerts_today()) }} as date)
  and order_date <= {{ dbt_alerts.alerts_today() }}
  and (order_amount is null or order_amount <= 0)
