{{ alert_model() }}
-- Yesterday's list cost across the account.
select
    sum(list_cost) as daily_cost
from {{ alert_source('gold', 'fact_usage') }}
where usage_date = {{ dbt.dateadd('day', -1, alerts_today()) }}
