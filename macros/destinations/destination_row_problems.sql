{#-
  Every check of one row of the notification destinations seed: the one place the dbt side
  validates a destination (alert-sync re-checks the same rules on the file it deploys from:
  scripts/alert_sync/catalog.py destination_problem).

  `row`: the row with every column as text (see the test destinations_rows_valid).
  Returns a list of (field, message); each message names the value and the fix.

  Types and their settings follow databricks-sdk's settings.Config (exactly one of email{addresses},
  slack{url}, microsoft_teams{url}, pagerduty{integration_key}, generic_webhook{url}; WEBHOOK is
  generic_webhook). A row that names an existing destination by databricks_destination_id needs
  neither addresses nor secret_env; a row without one is created by alert-sync apply, so it needs
  them. Disabled rows are not created: only their type and is_enabled are checked.
-#}
{% macro destination_row_problems(row) -%}
  {%- set re = modules.re -%}
  {%- set words = dbt_alerts.catalog_vocabulary() -%}
  {%- set types = ['EMAIL', 'SLACK', 'WEBHOOK', 'MICROSOFT_TEAMS', 'PAGERDUTY'] -%}
  {%- set problems = [] -%}
  {%- set v = {} -%}
  {%- for column in dbt_alerts.destination_columns() -%}
    {%- do v.update({column: (row[column] or '') | trim}) -%}
  {%- endfor -%}
  {%- set kind = v.destination_type | upper -%}
  {%- set enabled = v.is_enabled | lower in words['true'] + [''] -%}
  {%- set addresses = v.addresses.split(';') | map('trim') | reject('equalto', '') | list -%}
  {%- set secret = 'integration key' if kind == 'PAGERDUTY' else 'webhook URL' -%}

  {%- if v.destination_id == '' -%}
    {%- do problems.append(('destination_id', "destination_id is empty: give the row the key alerts list in notification_channels, e.g. finops_slack")) -%}
  {%- endif -%}
  {%- if v.destination_name == '' -%}
    {%- do problems.append(('destination_name', "destination_name is empty: give the workspace destination's display name")) -%}
  {%- endif -%}
  {%- if kind not in types -%}
    {%- do problems.append(('destination_type', "destination_type is '" ~ v.destination_type ~ "': use " ~ (types | join(', ')))) -%}
  {%- endif -%}
  {%- if v.is_enabled | lower not in words['true'] + words['false'] + [''] -%}
    {%- do problems.append(('is_enabled', "is_enabled is '" ~ v.is_enabled ~ "': write true or false")) -%}
  {%- endif -%}
  {%- for address in addresses if not re.fullmatch('[^@\\s]+@[^@\\s]+[.][^@\\s]+', address) -%}
    {%- do problems.append(('addresses', "addresses: '" ~ address ~ "' is not an email address (list recipients separated by ';')")) -%}
  {%- endfor -%}
  {%- if kind == 'EMAIL' -%}
    {%- if v.secret_env != '' -%}
      {%- do problems.append(('secret_env', "secret_env is '" ~ v.secret_env ~ "' on an EMAIL destination: leave it empty (EMAIL takes addresses)")) -%}
    {%- endif -%}
    {%- if enabled and not addresses and v.databricks_destination_id == '' -%}
      {%- do problems.append(('addresses', "addresses is empty: an EMAIL destination needs its recipients, separated by ';' "
          ~ "(or the databricks_destination_id of an existing destination)")) -%}
    {%- endif -%}
  {%- elif kind in types -%}
    {%- if addresses -%}
      {%- do problems.append(('addresses', "addresses is set on a " ~ kind ~ " destination: leave it empty (only EMAIL takes addresses)")) -%}
    {%- endif -%}
    {%- if v.secret_env != '' and not re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', v.secret_env) -%}
      {%- do problems.append(('secret_env', "secret_env is not an environment variable name: write the name of the variable "
          ~ "that holds the " ~ secret ~ " (e.g. " ~ (v.destination_id | upper or 'SLACK') ~ "_URL), never the secret itself")) -%}
    {%- elif enabled and v.secret_env == '' and v.databricks_destination_id == '' -%}
      {%- do problems.append(('secret_env', "secret_env is empty: a " ~ kind ~ " destination needs the name of the environment "
          ~ "variable holding its " ~ secret ~ " (alert-sync apply reads it to create the destination), or the "
          ~ "databricks_destination_id of an existing destination")) -%}
    {%- endif -%}
  {%- endif -%}
  {{ return(problems) }}
{%- endmacro %}
