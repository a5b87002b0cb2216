{#-
  The alert catalog, typed. One row per seed row (disabled alerts included, is_enabled says so).
  Named stg_ because the seed already owns the name alert_configurations.
  Raw columns are kept beside the typed ones so the catalog tests can name the bad value.
-#}
with source as (
    select * from {{ ref('alert_configurations') }}
),

cleaned as (
    select
        trim(alert_id) as alert_id,
        alert_name,
        alert_description,
        upper(trim(agent_domain)) as agent_domain,
        upper(trim(severity)) as severity,
        trim(query_model) as query_model,
        trim(threshold_column) as threshold_column,
        trim(threshold_operator) as threshold_operator,
        upper(trim(threshold_value_type)) as threshold_value_type,
        threshold_value,
        upper(trim(coalesce(aggregation_type, ''))) as aggregation_type,
        upper(trim(empty_result_state)) as empty_result_state,
        trim(schedule_cron) as schedule_cron,
        trim(schedule_timezone) as schedule_timezone,
        upper(trim(pause_status)) as pause_status,
        is_enabled,
        notification_channels,
        notify_on_ok,
        retrigger_seconds,
        custom_summary,
        custom_description,
        owner
    from source
)

select
    alert_id,
    alert_name,
    {{ dbt.concat(["'" ~ var('alerts_display_name_prefix', '') ~ "'", "'['", "severity", "'] '", "alert_name"]) }} as display_name,
    alert_description,
    agent_domain,
    severity,
    query_model,
    threshold_column,
    threshold_operator,
    case upper(threshold_operator)
        when '>' then 'GREATER_THAN'
        when '>=' then 'GREATER_THAN_OR_EQUAL'
        when '<' then 'LESS_THAN'
        when '<=' then 'LESS_THAN_OR_EQUAL'
        when '=' then 'EQUAL'
        when '==' then 'EQUAL'
        when '!=' then 'NOT_EQUAL'
        when '<>' then 'NOT_EQUAL'
        when 'GREATER_THAN' then 'GREATER_THAN'
        when 'GREATER_THAN_OR_EQUAL' then 'GREATER_THAN_OR_EQUAL'
        when 'LESS_THAN' then 'LESS_THAN'
        when 'LESS_THAN_OR_EQUAL' then 'LESS_THAN_OR_EQUAL'
        when 'EQUAL' then 'EQUAL'
        when 'NOT_EQUAL' then 'NOT_EQUAL'
        when 'IS_NULL' then 'IS_NULL'
        when 'IS_NOT_NULL' then 'IS_NOT_NULL'
    end as comparison_operator,
    threshold_value_type,
    threshold_value,
    case when threshold_value_type = 'DOUBLE' then try_cast(threshold_value as double) end as threshold_double,
    case when threshold_value_type = 'STRING' then threshold_value end as threshold_string,
    case when threshold_value_type = 'BOOLEAN' then
        case lower(trim(threshold_value)) when 'true' then true when 'false' then false end
    end as threshold_boolean,
    case when threshold_value_type = 'COLUMN' then trim(threshold_value) end as threshold_column_name,
    aggregation_type,
    -- Alerts v2 has no FIRST aggregation: FIRST / NONE / empty all mean "first row" (no aggregation).
    case when aggregation_type in ('', 'NONE', 'FIRST') then null else aggregation_type end as aggregation,
    empty_result_state,
    schedule_cron,
    schedule_timezone,
    pause_status,
    is_enabled,
    notification_channels,
    {{ split_list('notification_channels') }} as notification_channel_list,
    notify_on_ok,
    retrigger_seconds,
    custom_summary,
    custom_description,
    owner
from cleaned
