{{ dbt_alerts.alert_model() }}
-- Share (%) of the last 7 days' list cost that carries no team tag.
select
    round(sum(case when coalesce(team_tag, '') = '' then list_cost else 0 end), 2) as untagged_cost,
    round(sum(list_cost), 2) as total_cost,
    round(100.0 * sum(case when coalesce(team_tag, '') = '' then list_cost else 0 end) / nullif(sum(list_cost), 0), 2) as untagged_cost_pct
from {{ alert_source('gold', 'fact_usage') }}
where usage_date >= cast({{ dbt.dateadd('day', -7, dbt_alerts.alerts_today()) }} as date)
  and usage_date < {{ dbt_alerts.alerts_today() }}
