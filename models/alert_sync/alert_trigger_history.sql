{#-
  Per alert: what `alert-sync evaluate` found over time (live evaluations and backtests).
  An evaluation's moment is its as_of (backtest) or, for a live evaluation, evaluated_at.
  flapping_count = OK <-> TRIGGERED changes in order of that moment; ERROR evaluations are skipped
  (OK, ERROR, TRIGGERED is one change).
-#}
with evaluations as (
    select
        evaluation_run_id,
        alert_id,
        state,
        evaluated_at,
        as_of,
        coalesce(as_of, evaluated_at) as evaluated_for
    from {{ source('alert_sync', 'alert_evaluations') }}
    where alert_id is not null
),

verdicts as (
    select
        alert_id,
        state,
        lag(state) over (
            partition by alert_id order by evaluated_for, evaluated_at, evaluation_run_id
        ) as previous_state
    from evaluations
    where state in ('OK', 'TRIGGERED')
),

flaps as (
    select
        alert_id,
        sum(case when previous_state is not null and previous_state <> state then 1 else 0 end) as flapping_count
    from verdicts
    group by alert_id
),

latest as (
    select
        alert_id,
        state as last_state,
        row_number() over (
            partition by alert_id order by evaluated_for desc, evaluated_at desc, evaluation_run_id desc
        ) as recency
    from evaluations
),

per_alert as (
    select
        alert_id,
        count(*) as evaluations,
        sum(case when state = 'TRIGGERED' then 1 else 0 end) as trigger_count,
        sum(case when state = 'OK' then 1 else 0 end) as ok_count,
        sum(case when state = 'ERROR' then 1 else 0 end) as error_count,
        sum(case when as_of is null then 1 else 0 end) as live_evaluations,
        sum(case when as_of is not null then 1 else 0 end) as backtest_evaluations,
        max(case when state = 'TRIGGERED' then evaluated_for end) as last_triggered_at,
        min(evaluated_for) as first_evaluated_for,
        max(evaluated_for) as last_evaluated_for,
        max(evaluated_at) as last_evaluated_at
    from evaluations
    group by alert_id
)

select
    p.alert_id,
    c.display_name,
    c.agent_domain,
    c.severity,
    p.evaluations,
    p.trigger_count,
    p.ok_count,
    p.error_count,
    cast(p.trigger_count as double) / p.evaluations as trigger_rate,
    p.last_triggered_at,
    coalesce(f.flapping_count, 0) as flapping_count,
    l.last_state,
    p.live_evaluations,
    p.backtest_evaluations,
    p.first_evaluated_for,
    p.last_evaluated_for,
    p.last_evaluated_at
from per_alert as p
left join flaps as f
    on p.alert_id = f.alert_id
left join latest as l
    on p.alert_id = l.alert_id and l.recency = 1
left join {{ ref('stg_alert_configurations') }} as c
    on p.alert_id = c.alert_id
