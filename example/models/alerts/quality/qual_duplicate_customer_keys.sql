{{ dbt_alerts.alert_model() }}
-- customer_id values that occur more than once in gold.dim_customers.
with keys as (
    select customer_id, count(*) as copies
    from {{ alert_source('gold', 'dim_customers') }}
    group by customer_id
    having count(*) > 1
)

select
    count(*) as duplicate_keys,
    coalesce(sum(copies), 0) as duplicate_rows
from keys
