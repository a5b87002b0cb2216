{{ dbt_alerts.alert_model() }}
-- Yesterday's total list cost (USD) across all workspaces, from the priced gold usage fact.
select
    round(coalesce(sum(list_cost), 0), 2) as daily_cost,
    count(distinct sku_name) as skus
from {{ alert_source('gold', 'fact_usage') }}
where usage_date = cast({{ dbt.dateadd('day', -1, dbt_alerts.alerts_today()) }} as date)
