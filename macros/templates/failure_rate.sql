{#-
  Job failure rate: the share (%) of runs in the last `window_hours` hours (rows whose
  `time_column` is in [alerts_now() - window_hours, alerts_now())) whose `state_column` is one of
  `failure_states`, optionally per group (e.g. per job). Each row of `relation` must be one run:
  for system.lakeflow.job_run_timeline, which slices a run into hourly rows and repeats repaired
  runs, pass a relation of each run's final row (the example's finished_runs macro). It works the
  same for other run-like tables (statements of system.query.history).

    {{ dbt_alerts.failure_rate(finished_runs('job_run_timeline', 24), time_column='period_end_time',
                               state_column='result_state', failure_states=['FAILED', 'ERROR', 'TIMED_OUT']) }}

  Output, one row per group (one row when group_by is empty), highest failure_rate_pct first:
    <group_by columns>, total_runs, failed_runs, failure_rate_pct (100 * failed / total,
    2 decimals; NULL when there was no run).
  Catalog: threshold_column failure_rate_pct (e.g. > 15; aggregation MAX when grouped).
-#}
{% macro failure_rate(relation=none, time_column=none, state_column=none, failure_states=none, window_hours=24, group_by=[], where=none) -%}
  {{- dbt_alerts.template_require('failure_rate',
        {'relation': relation, 'time_column': time_column, 'state_column': state_column,
         'failure_states': failure_states},
        "dbt_alerts.failure_rate(ref('job_runs'), time_column='period_end_time', state_column='result_state', failure_states=['FAILED'])",
        positive_integers={'window_hours': window_hours}) -}}
  {%- set groups = [group_by] if group_by is string else group_by -%}
  {%- set states = [failure_states] if failure_states is string else failure_states -%}
  {%- set failed -%}
    case when {{ state_column }} in ({% for state in states %}{{ dbt_alerts.quote_string(state) }}{{ ", " if not loop.last }}{% endfor %}) then 1 else 0 end
  {%- endset %}
select
    {%- for column in groups %}
    {{ column }},
    {%- endfor %}
    count(*) as total_runs,
    sum({{ failed }}) as failed_runs,
    round(100.0 * sum({{ failed }}) / nullif(count(*), 0), 2) as failure_rate_pct
from {{ relation }} as runs
where {{ time_column }} >= {{ dbt.dateadd('hour', -window_hours, dbt_alerts.alerts_now()) }}
  and {{ time_column }} < {{ dbt_alerts.alerts_now() }}
  {%- if where %}
  and ({{ where }})
  {%- endif %}
{%- if groups %}
group by {{ groups | join(', ') }}
order by failure_rate_pct desc nulls last
{%- endif %}
{%- endmacro %}
