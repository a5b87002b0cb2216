{#-
  materialized='alert': the model is a Databricks SQL alert query, not a relation.

  `dbt build` compiles it and runs it on the target wrapped so that it returns no rows (the
  warehouse still parses and plans it, so missing tables/columns fail here), then checks that the
  catalog row's threshold column (and a COLUMN threshold) is among the output columns.
  Nothing is created. The compiled SQL in manifest.json is what alert-sync deploys.
-#}
{% materialization alert, default %}
  {%- set catalog = alert_catalog_rows_for_model(model.name) -%}
  {%- if catalog | length == 0 -%}
    {{ exceptions.raise_compiler_error(
        "Alert model '" ~ model.name ~ "' has no row in seeds/alert_configurations.csv: add a row with "
        ~ "query_model = '" ~ model.name ~ "' (or delete the model).") }}
  {%- elif catalog | length > 1 -%}
    {{ exceptions.raise_compiler_error(
        "Alert model '" ~ model.name ~ "' has " ~ (catalog | length) ~ " rows in seeds/alert_configurations.csv ("
        ~ (catalog | map(attribute='alert_id') | join(', ')) ~ "): one model per alert; give each alert its own model.") }}
  {%- endif -%}
  {%- set alert = catalog[0] -%}

  {{ run_hooks(pre_hooks) }}

  {#- The newline before ')' keeps a trailing -- comment in the query from swallowing it. -#}
  {%- call statement('main', fetch_result=True) -%}
    select * from (
      {{ sql }}
    ) as alert_query
    limit 0
  {%- endcall -%}
  {%- set output_columns = load_result('main')['table'].column_names | map('lower') | list -%}

  {%- set required = [('threshold_column', alert.threshold_column)] -%}
  {%- if (alert.threshold_value_type or '') | upper == 'COLUMN' -%}
    {%- do required.append(('threshold_value (COLUMN)', alert.threshold_value)) -%}
  {%- endif -%}
  {%- for field, column in required -%}
    {%- if not column or (column | lower) not in output_columns -%}
      {{ exceptions.raise_compiler_error(
          "Alert " ~ alert.alert_id ~ " (model '" ~ model.name ~ "'): " ~ field ~ " '" ~ (column or '') ~
          "' is not an output column of the query. Output columns: " ~ (output_columns | join(', ')) ~
          ". Fix the catalog row or alias the column in the query.") }}
    {%- endif -%}
  {%- endfor -%}

  {{ run_hooks(post_hooks) }}
  {{ return({'relations': []}) }}
{% endmaterialization %}
