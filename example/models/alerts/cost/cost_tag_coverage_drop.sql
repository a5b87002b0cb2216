{{ dbt_alerts.alert_model() }}
-- Tag coverage (% of list cost with a team tag) yesterday vs a floor 10 points under its average over the 30 days before.
with usage_by_day as (
    select
        case when usage_date = cast({{ dbt.dateadd('day', -1, dbt_alerts.alerts_today()) }} as date) then 'yesterday' else 'baseline' end as period,
        case when coalesce(team_tag, '') <> '' then list_cost else 0 end as tagged_cost,
        list_cost
    from {{ alert_source('gold', 'fact_usage') }}
    where usage_date >= cast({{ dbt.dateadd('day', -31, dbt_alerts.alerts_today()) }} as date)
      and usage_date < {{ dbt_alerts.alerts_today() }}
)

select
    round(100.0 * sum(case when period = 'yesterday' then tagged_cost else 0 end)
        / nullif(sum(case when period = 'yesterday' then list_cost else 0 end), 0), 2) as tag_coverage_pct,
    round(100.0 * sum(case when period = 'baseline' then tagged_cost else 0 end)
        / nullif(sum(case when period = 'baseline' then list_cost else 0 end), 0) - 10, 2) as tag_coverage_floor_pct
from usage_by_day
