{{ dbt_alerts.alert_model() }}
-- Hours since gold.fact_orders was last written (max record_updated_timestamp); 9999 when the table is empty.
select
    round(coalesce({{ dbt.datediff('max(record_updated_timestamp)', dbt_alerts.alerts_now(), 'minute') }}, 599940) / 60.0, 1) as hours_since_update,
    max(record_updated_timestamp) as last_updated_at
from {{ alert_source('gold', 'fact_orders') }}
where record_updated_timestamp < {{ dbt_alerts.alerts_now() }}
