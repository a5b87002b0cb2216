{#-
  The alert catalog (the project's seed alert_configurations), typed. One row per seed row,
  disabled alerts included (is_enabled says so). Named stg_ because the seed owns the name
  alert_configurations. Every column is read as text first, so the model does not depend on the
  types dbt inferred for the host's seed (a host needs no seed column_types). The validation is
  in the tests on this model and in the `alert` materialization (dbt_alerts.catalog_row_problems);
  a number that does not convert reads as null (dbt_alerts.try_cast), so a bad row never breaks
  reading the model.
-#}
{%- set words = dbt_alerts.catalog_vocabulary() -%}
{%- set catalog = ref(project_name, 'alert_configurations') -%}
{#- Optional columns (catalog_optional_columns) the host's seed lacks read as null. Under
    `dbt build --empty`, ref() renders as a subquery `(select ... limit 0)`, which Spark and
    Databricks cannot describe: the columns are read from the seed's table itself. -#}
{%- set columns_of = api.Relation.create(database=catalog.database, schema=catalog.schema, identifier=catalog.identifier)
      if flags.EMPTY else catalog -%}
{%- set present = adapter.get_columns_in_relation(columns_of) | map(attribute='name') | map('lower') | list if execute else [] -%}
{%- set compiled_operators -%}
    ({% for operator in words.compiled_operators %}{{ dbt_alerts.quote_string(operator) }}{{ ', ' if not loop.last }}{% endfor %})
{%- endset -%}

with source as (
    select
    {%- for column in dbt_alerts.catalog_columns() %}
        trim(cast({{ adapter.quote(column) }} as {{ dbt.type_string() }})) as {{ column }},
    {%- endfor %}
    {%- for column in dbt_alerts.catalog_optional_columns() %}
        {% if column in present %}trim(cast({{ adapter.quote(column) }} as {{ dbt.type_string() }})){% else %}cast(null as {{ dbt.type_string() }}){% endif %} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ catalog }}  {#- the host project's seed -#}
),

cleaned as (
    select
        alert_id,
        alert_name,
        nullif(display_name, '') as display_name_override,
        alert_description,
        upper(agent_domain) as agent_domain,
        upper(severity) as severity,
        query_model,
        threshold_column,
        threshold_operator,
        upper(threshold_value_type) as threshold_value_type,
        threshold_value,
        upper(coalesce(aggregation_type, '')) as aggregation_type,
        upper(empty_result_state) as empty_result_state,
        schedule_cron,
        schedule_timezone,
        upper(pause_status) as pause_status,
        {{ dbt_alerts.catalog_boolean_sql('is_enabled', 'null') }} as is_enabled,
        notification_channels,
        {{ dbt_alerts.catalog_boolean_sql('notify_on_ok', 'false') }} as notify_on_ok,
        {{ dbt_alerts.try_cast(dbt_alerts.try_cast('retrigger_seconds', 'double'), dbt.type_bigint()) }} as retrigger_seconds,
        custom_summary,
        custom_description,
        owner
    from source
)

select
    alert_id,
    alert_name,
    -- The optional column display_name replaces "[<severity>] <alert_name>"; the prefix setting stays in front.
    {{ dbt.concat([dbt_alerts.quote_string(dbt_alerts.get_config_var('alerts_display_name_prefix') or ''),
                   "coalesce(display_name_override, " ~ dbt.concat(["'['", "severity", "'] '", "alert_name"]) ~ ")"]) }} as display_name,
    alert_description,
    agent_domain,
    severity,
    query_model,
    threshold_column,
    threshold_operator,
    case upper(threshold_operator)
        {%- for written, operator in words.operators.items() %}
        when {{ dbt_alerts.quote_string(written) }} then {{ dbt_alerts.quote_string(operator) }}
        {%- endfor %}
        {#- Alerts v2 has none of these: alert-sync deploys them as <condition column> EQUAL true. #}
        {%- for operator in words.compiled_operators %}
        when {{ dbt_alerts.quote_string(operator) }} then {{ dbt_alerts.quote_string(operator) }}
        {%- endfor %}
    end as comparison_operator,
    threshold_value_type,
    threshold_value,
    -- BETWEEN, NOT_BETWEEN, IN, NOT_IN: threshold_value is a list (threshold_value_list), not one value.
    case when threshold_value_type = 'DOUBLE' and upper(threshold_operator) not in {{ compiled_operators }}
        then {{ dbt_alerts.try_cast('threshold_value', 'double') }} end as threshold_double,
    case when threshold_value_type = 'STRING' and upper(threshold_operator) not in {{ compiled_operators }}
        then threshold_value end as threshold_string,
    case when threshold_value_type = 'BOOLEAN' then
        case lower(threshold_value) when 'true' then true when 'false' then false end
    end as threshold_boolean,
    case when threshold_value_type = 'COLUMN' then threshold_value end as threshold_column_name,
    case when upper(threshold_operator) in {{ compiled_operators }}
        then {{ dbt_alerts.split_list('threshold_value') }}
    end as threshold_value_list,
    aggregation_type,
    -- Alerts v2 has no FIRST aggregation: FIRST / NONE / empty all mean "first row" (no aggregation).
    case when aggregation_type in ({% for word in words.first_row %}{{ dbt_alerts.quote_string(word) }}{{ ', ' if not loop.last }}{% endfor %}) then null else aggregation_type end as aggregation,
    empty_result_state,
    schedule_cron,
    schedule_timezone,
    pause_status,
    is_enabled,
    notification_channels,
    {{ dbt_alerts.split_list('notification_channels') }} as notification_channel_list,
    notify_on_ok,
    retrigger_seconds,
    custom_summary,
    custom_description,
    owner
from cleaned
