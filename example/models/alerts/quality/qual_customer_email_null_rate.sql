{{ dbt_alerts.alert_model() }}
-- Share (%) of gold.dim_customers rows without an email address.
select
    round(100.0 * sum(case when coalesce(trim(email), '') = '' then 1 else 0 end) / nullif(count(*), 0), 2) as null_email_pct,
    count(*) as customers
from {{ alert_source('gold', 'dim_customers') }}
