{#-
  Model test on stg_alert_configurations: every row of the alert catalog is a valid alert
  (dbt_alerts.catalog_row_problems), alert ids are unique, every query_model is an alert model of
  the project, and every alert model has exactly one row. The failure names each alert, the field
  and the fix. Rows are read from the seed itself, as text, like the materialization reads them.
  A channel that is not an email must be a destination id: alert-sync checks it against the
  project's notification_destinations seed (read from the file it deploys from). Without such a
  seed every channel must be an email address.
-#}
{% test catalog_rows_valid(model) %}
  {%- set catalog_relation = ref(project_name, 'alert_configurations') -%}  {#- the host project's seed -#}
  {%- set seed = dbt_alerts.catalog_seed_node() -%}
  {%- set problems = [] -%}
  {#- `dbt build --empty` reads every ref() as an empty relation: there are no rows to check. -#}
  {%- if execute and seed is not none and not flags.EMPTY -%}
    {%- set has_destinations = dbt_alerts.project_has_destinations_seed() -%}
    {%- set models = {} -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
      {%- do models.update({node.name: node.config.materialized}) -%}
    {%- endfor -%}
    {%- set rows_per_id, rows_per_model = {}, {} -%}
    {%- set rows = dbt_alerts.catalog_text_rows(catalog_relation) -%}
    {%- for row in rows -%}
      {%- set alert_id, query_model = (row.alert_id or '') | trim, (row.query_model or '') | trim -%}
      {%- set label = dbt_alerts.catalog_row_label(row) -%}
      {%- for field, message in dbt_alerts.catalog_row_problems(row, has_destinations) -%}
        {%- do problems.append((label, message)) -%}
      {%- endfor -%}
      {%- if alert_id -%}
        {%- do rows_per_id.setdefault(alert_id, []).append(label) -%}
      {%- endif -%}
      {%- if query_model -%}
        {%- do rows_per_model.setdefault(query_model, []).append(label) -%}
      {%- endif -%}
      {%- if query_model and query_model not in models -%}
        {%- do problems.append((label, "query_model '" ~ query_model ~ "' is not a model of this project: create models/alerts/"
            ~ query_model ~ ".sql starting with {{ dbt_alerts.alert_model() }}")) -%}
      {%- elif query_model and models[query_model] != 'alert' -%}
        {%- do problems.append((label, "query_model '" ~ query_model ~ "' is materialized as '" ~ models[query_model]
            ~ "', not 'alert': start the model with {{ dbt_alerts.alert_model() }}")) -%}
      {%- endif -%}
    {%- endfor -%}
    {%- for alert_id, labels in rows_per_id.items() | sort if labels | length > 1 -%}
      {%- do problems.append((alert_id, "alert_id is used by " ~ (labels | length) ~ " rows: give each row its own id")) -%}
    {%- endfor -%}
    {%- for name, materialized in models.items() | sort if materialized == 'alert' -%}
      {%- set labels = rows_per_model.get(name, []) -%}
      {%- if labels | length == 0 -%}
        {%- do problems.append(("model " ~ name, "alert model has no catalog row: add a row with query_model = '" ~ name ~ "'")) -%}
      {%- elif labels | length > 1 -%}
        {%- do problems.append(("model " ~ name, "alert model is the query_model of " ~ (labels | join(', '))
            ~ ": each alert needs its own model")) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
  {{ dbt_alerts.catalog_test_result('every row is a valid alert', problems, dbt_alerts.catalog_seed_path(seed)) }}
{% endtest %}
