{#-
  Every check of one alert catalog row: the one place the dbt side validates a row. Used by the
  catalog test (catalog_rows_valid, every row) and by the `alert` materialization (the model's own
  row), so a row is checked whatever `dbt build --select` ran.

  `row`: the row with every column as text (dbt_alerts.catalog_text_rows).
  `has_destinations`: dbt_alerts.project_has_destinations_seed() (see channel_problems).
  Returns a list of (field, message); each message names the value and the fix.
-#}
{% macro catalog_row_problems(row, has_destinations) -%}
  {%- set re = modules.re -%}
  {%- set words = dbt_alerts.catalog_vocabulary() -%}
  {%- set problems = [] -%}
  {%- set v = {} -%}
  {%- for column in dbt_alerts.catalog_columns() -%}
    {%- do v.update({column: (row[column] or '') | trim}) -%}
  {%- endfor -%}

  {%- for field, fix in [('alert_id', "every row needs a stable id such as COST-001"),
                         ('alert_name', "every alert needs a name"),
                         ('query_model', "name the dbt model holding the alert query (it starts with {{ dbt_alerts.alert_model() }})"),
                         ('threshold_column', "name the query output column to evaluate")] if v[field] == '' -%}
    {%- do problems.append((field, field ~ " is empty: " ~ fix)) -%}
  {%- endfor -%}

  {%- set domains = dbt_alerts.get_config_var('alerts_accepted_domains') | map('upper') | list -%}
  {%- if v.agent_domain | upper not in domains -%}
    {%- do problems.append(('agent_domain', "agent_domain is '" ~ v.agent_domain ~ "': use " ~ (domains | join(', '))
        ~ " (the setting alerts_accepted_domains lists the accepted domains)")) -%}
  {%- endif -%}
  {%- for field, allowed in [('severity', words.severities), ('empty_result_state', words.empty_result_states),
                             ('pause_status', words.pause_statuses)] if v[field] | upper not in allowed -%}
    {%- do problems.append((field, field ~ " is '" ~ v[field] ~ "': use " ~ (allowed | join(', ')))) -%}
  {%- endfor -%}

  {#- Operators: symbols or Alerts v2 ComparisonOperator names, in any case; or one Alerts v2 lacks,
      which alert-sync compiles into the deployed query (BETWEEN, NOT_BETWEEN, IN, NOT_IN). -#}
  {%- set compiled = v.threshold_operator | upper in words.compiled_operators -%}
  {%- set operator = v.threshold_operator | upper if compiled else words.operators.get(v.threshold_operator | upper) -%}
  {%- set null_check = operator in words.null_checks -%}
  {%- if operator is none -%}
    {%- do problems.append(('threshold_operator', "threshold_operator is '" ~ v.threshold_operator ~ "': use >, >=, <, <=, =, !=, <> "
        ~ "or an Alerts v2 name (GREATER_THAN, GREATER_THAN_OR_EQUAL, LESS_THAN, LESS_THAN_OR_EQUAL, EQUAL, NOT_EQUAL, IS_NULL, IS_NOT_NULL), "
        ~ "or " ~ (words.compiled_operators | join(', ')))) -%}
  {%- endif -%}

  {#- Threshold: typed by threshold_value_type; empty exactly for IS_NULL / IS_NOT_NULL. -#}
  {%- set value_type = v.threshold_value_type | upper -%}
  {%- set number = '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?' -%}
  {%- if compiled -%}
    {%- set ranged = operator in ('BETWEEN', 'NOT_BETWEEN') -%}
    {%- set entries = v.threshold_value.split(';') | map('trim') | list -%}
    {%- if value_type not in words.compiled_value_types -%}
      {%- do problems.append(('threshold_value_type', "threshold_value_type is '" ~ v.threshold_value_type ~ "': " ~ operator
          ~ " compares with " ~ ("numbers, use DOUBLE" if ranged else "a list of values, use DOUBLE or STRING"))) -%}
    {%- elif ranged and value_type != 'DOUBLE' -%}
      {%- do problems.append(('threshold_value_type', "threshold_value_type is '" ~ v.threshold_value_type ~ "': " ~ operator
          ~ " needs numeric bounds, use DOUBLE (for a list of strings use IN / NOT_IN)")) -%}
    {%- elif ranged and (entries | length != 2 or '' in entries) -%}
      {%- do problems.append(('threshold_value', "threshold_value is '" ~ v.threshold_value ~ "': " ~ operator
          ~ " needs exactly two bounds written low;high, e.g. 10;20")) -%}
    {%- elif not ranged and '' in entries -%}
      {%- do problems.append(('threshold_value', "threshold_value is '" ~ v.threshold_value ~ "': " ~ operator
          ~ " needs a non-empty ';'-separated list without empty entries, e.g. " ~ ("1;2;3" if value_type == 'DOUBLE' else "a;b;c"))) -%}
    {%- else -%}
      {%- set not_numbers = [] -%}
      {%- for entry in entries if value_type == 'DOUBLE' and not re.fullmatch(number, entry) -%}
        {%- do not_numbers.append(entry) -%}
      {%- endfor -%}
      {%- if not_numbers -%}
        {%- do problems.append(('threshold_value', "threshold_value is '" ~ v.threshold_value ~ "': '" ~ not_numbers[0]
            ~ "' is not a number; threshold_value_type is DOUBLE, write numbers such as 10;20 (or use STRING)")) -%}
      {%- elif ranged and (entries[0] | float) > (entries[1] | float) -%}
        {%- do problems.append(('threshold_value', "threshold_value is '" ~ v.threshold_value ~ "': the low bound " ~ entries[0]
            ~ " is above the high bound " ~ entries[1] ~ "; write " ~ entries[1] ~ ";" ~ entries[0])) -%}
      {%- endif -%}
    {%- endif -%}
  {%- elif null_check -%}
    {%- if v.threshold_value != '' -%}
      {%- do problems.append(('threshold_value', "threshold_value is '" ~ v.threshold_value ~ "': leave it empty for " ~ operator)) -%}
    {%- endif -%}
    {%- if value_type not in [''] + words.value_types -%}
      {%- do problems.append(('threshold_value_type', "threshold_value_type is '" ~ v.threshold_value_type ~ "': leave it empty for " ~ operator)) -%}
    {%- endif -%}
  {%- elif value_type not in words.value_types -%}
    {%- do problems.append(('threshold_value_type', "threshold_value_type is '" ~ v.threshold_value_type ~ "': use DOUBLE, STRING, BOOLEAN or COLUMN")) -%}
  {%- elif v.threshold_value == '' -%}
    {%- do problems.append(('threshold_value', "threshold_value is empty: operator " ~ v.threshold_operator ~ " needs a " ~ value_type ~ " value")) -%}
  {%- elif value_type == 'DOUBLE' and not re.fullmatch(number, v.threshold_value) -%}
    {%- do problems.append(('threshold_value', "threshold_value is '" ~ v.threshold_value ~ "': threshold_value_type is DOUBLE, write a number such as 5000 or 0.25")) -%}
  {%- elif value_type == 'BOOLEAN' and v.threshold_value | lower not in ('true', 'false') -%}
    {%- do problems.append(('threshold_value', "threshold_value is '" ~ v.threshold_value ~ "': threshold_value_type is BOOLEAN, write true or false")) -%}
  {%- endif -%}

  {%- if v.aggregation_type | upper not in words.first_row + words.aggregations -%}
    {%- do problems.append(('aggregation_type', "aggregation_type is '" ~ v.aggregation_type ~ "': use SUM, COUNT, COUNT_DISTINCT, AVG, "
        ~ "MEDIAN, MIN, MAX, STDDEV, or empty / NONE / FIRST for the first row")) -%}
  {%- endif -%}

  {%- set cron_problem = dbt_alerts.quartz_cron_problem(v.schedule_cron) -%}
  {%- if cron_problem -%}
    {%- do problems.append(('schedule_cron', "schedule_cron '" ~ v.schedule_cron ~ "' " ~ cron_problem)) -%}
  {%- endif -%}
  {%- if v.schedule_timezone not in modules.pytz.all_timezones_set -%}
    {%- do problems.append(('schedule_timezone', "schedule_timezone '" ~ v.schedule_timezone ~ "' is not an IANA time zone id; "
        ~ "use e.g. UTC, America/Los_Angeles, Europe/Berlin")) -%}
  {%- endif -%}

  {#- Booleans as alert-sync reads them; an empty notify_on_ok means false. -#}
  {%- for field in ['is_enabled', 'notify_on_ok'] -%}
    {%- set allowed = words['true'] + words['false'] + ([''] if field == 'notify_on_ok' else []) -%}
    {%- if v[field] | lower not in allowed -%}
      {%- do problems.append((field, field ~ " is '" ~ v[field] ~ "': write true or false")) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if v.retrigger_seconds != '' and not re.fullmatch('[0-9]+([.]0*)?', v.retrigger_seconds) -%}
    {%- do problems.append(('retrigger_seconds', "retrigger_seconds is '" ~ v.retrigger_seconds ~ "': use a whole number of seconds >= 0, or leave it empty")) -%}
  {%- endif -%}

  {%- for field in ['custom_summary', 'custom_description'] -%}
    {%- for message in dbt_alerts.notification_template_problems(field, v[field]) -%}
      {%- do problems.append((field, message)) -%}
    {%- endfor -%}
  {%- endfor -%}

  {%- for message in dbt_alerts.channel_problems(v.notification_channels, has_destinations) -%}
    {%- do problems.append(('notification_channels', message)) -%}
  {%- endfor -%}
  {{ return(problems) }}
{%- endmacro %}
