{#-
  Local vs real, per catalog alert: the state of its last live `alert-sync evaluate` (the query run
  on the dbt target, judged as Alerts v2 would) next to the state Databricks last reported for the
  deployed alert (alert_observations, recorded at each apply). A disagreement is worth a look: a
  dialect difference, other data on the target than in the workspace, or an evaluation at another
  moment. Comparable only when both sides have a verdict (OK, TRIGGERED, ERROR).
-#}
with local_runs as (
    select
        alert_id,
        state,
        evaluated_at,
        row_number() over (partition by alert_id order by evaluated_at desc, evaluation_run_id desc) as recency
    from {{ source('alert_sync', 'alert_evaluations') }}
    where alert_id is not null and as_of is null
),

observed as (
    select
        alert_id,
        databricks_alert_id,
        evaluation_state,
        last_evaluated_at,
        observed_at,
        pause_status,
        row_number() over (partition by alert_id order by observed_at desc, sync_run_id desc) as recency
    from {{ source('alert_sync', 'alert_observations') }}
    where alert_id is not null
),

compared as (
    select
        c.alert_id,
        c.display_name,
        c.severity,
        l.state as local_state,
        l.evaluated_at as local_evaluated_at,
        o.databricks_alert_id,
        o.evaluation_state as observed_state,
        o.last_evaluated_at as observed_evaluated_at,
        o.observed_at,
        o.pause_status,
        case
            when l.state is null or o.evaluation_state is null or o.evaluation_state = 'UNKNOWN' then 'NOT_COMPARABLE'
            when l.state = o.evaluation_state then 'AGREE'
            else 'DISAGREE'
        end as comparison
    from {{ ref('stg_alert_configurations') }} as c
    left join local_runs as l
        on c.alert_id = l.alert_id and l.recency = 1
    left join observed as o
        on c.alert_id = o.alert_id and o.recency = 1
)

select
    *,
    comparison = 'DISAGREE' as disagrees
from compared
