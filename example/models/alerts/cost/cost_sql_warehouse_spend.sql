{{ dbt_alerts.alert_model() }}
-- List cost (USD) of SQL warehouses over the last 7 full days.
select
    round(coalesce(sum(list_cost), 0), 2) as sql_cost_7d,
    count(distinct warehouse_id) as warehouses
from {{ alert_source('gold', 'fact_usage') }}
where usage_date >= cast({{ dbt.dateadd('day', -7, dbt_alerts.alerts_today()) }} as date)
  and usage_date < {{ dbt_alerts.alerts_today() }}
  and billing_origin_product = 'SQL'
