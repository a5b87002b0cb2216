{{ dbt_alerts.alert_model() }}
-- First order of the last 30 days whose customer_id is missing from gold.dim_customers; NULL when there is none.
select
    min(o.order_id) as first_orphan_order_id,
    count(*) as orphan_orders
from {{ alert_source('gold', 'fact_orders') }} as o
left join {{ alert_source('gold', 'dim_customers') }} as c
    on c.customer_id = o.customer_id
where c.customer_id is null
  and o.order_date >= cast({{ dbt.dateadd('day', -30, dbt_alerts.alerts_today()) }} as date)
  and o.order_date <= {{ dbt_alerts.alerts_today() }}
