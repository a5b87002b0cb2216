{#-
  Model test on the catalog: every query_model names a model materialized as 'alert', and every
  alert model has exactly one catalog row (dbt's graph is the list of models).
-#}
{% test catalog_query_models_are_alerts(model) %}
  {%- set problems = [] -%}
  {%- if execute -%}
    {%- set models = {} -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
      {%- do models.update({node.name: node.config.materialized}) -%}
    {%- endfor -%}
    {%- set rows_per_model = {} -%}
    {%- for row in run_query("select " ~ catalog_row_label() ~ ", query_model from " ~ model ~ " order by 1").rows -%}
      {%- set name = (row[1] or '') | trim -%}
      {%- do rows_per_model.setdefault(name, []).append(row[0]) -%}
      {%- if name == '' -%}
        {%- do problems.append((row[0], "query_model is empty: name the dbt model (materialized='alert') holding the alert query")) -%}
      {%- elif name not in models -%}
        {%- do problems.append((row[0], "query_model '" ~ name ~ "' is not a model in this project: create models/alerts/<domain>/" ~ name ~ ".sql starting with {{ alert_model() }}")) -%}
      {%- elif models[name] != 'alert' -%}
        {%- do problems.append((row[0], "query_model '" ~ name ~ "' is materialized as '" ~ models[name] ~ "', not 'alert': start the model with {{ alert_model() }}")) -%}
      {%- endif -%}
    {%- endfor -%}
    {%- for name, materialized in models.items() | sort if materialized == 'alert' -%}
      {%- set ids = rows_per_model.get(name, []) -%}
      {%- if ids | length == 0 -%}
        {%- do problems.append(("model " ~ name, "alert model has no catalog row: add a row with query_model = '" ~ name ~ "'")) -%}
      {%- elif ids | length > 1 -%}
        {%- for alert_id in ids -%}
          {%- do problems.append((alert_id, "shares query_model '" ~ name ~ "' with " ~ (ids | reject('equalto', alert_id) | join(', ')) ~ ": each alert needs its own model")) -%}
        {%- endfor -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
  {{ catalog_test_result(model, 'query_model names exactly one alert model', problems) }}
{% endtest %}
