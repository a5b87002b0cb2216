{#-
  materialized='alert': the model is a Databricks SQL alert query, not a relation.

  `dbt build` runs it on the target wrapped so that it returns no rows (the warehouse still
  parses and plans it, so missing tables/columns fail here), and checks the model's catalog row:
  every rule of dbt_alerts.catalog_row_problems, that its alert_id is used once, and that the
  threshold column (and a COLUMN threshold) is an output column. These checks run with the alert
  node itself, so whatever `--select` a build used, an alert model that succeeded vouches for its
  row; alert-sync deploys only alerts whose model succeeded in the last build. Nothing is created.
  The compiled SQL in manifest.json is what alert-sync deploys.

  Package macros are called with the dbt_alerts. prefix: a materialization runs in the context of
  the host's model, where only the host's own macros resolve without it.
-#}
{% materialization alert, default %}
  {%- set seed = dbt_alerts.catalog_seed_node(depends_on_of=model) -%}
  {%- if seed is none -%}
    {{ exceptions.raise_compiler_error("Alert model '" ~ model.name ~ "' does not depend on an alert catalog seed: "
        ~ "start it with {{ dbt_alerts.alert_model() }} and keep the catalog in seeds/alert_configurations.csv.") }}
  {%- endif -%}
  {%- set seed_path = dbt_alerts.catalog_seed_path(seed) -%}
  {#- `dbt build --empty` reads every ref() as an empty relation: only the query itself is checked
      (alert-sync refuses to deploy from such a build). -#}
  {%- set check_row = not flags.EMPTY -%}
  {%- set stale = dbt_alerts.catalog_seed_staleness(seed) if check_row else '' -%}
  {%- if stale -%}
    {{ exceptions.raise_compiler_error("Alert model '" ~ model.name ~ "': " ~ stale) }}
  {%- endif -%}

  {%- set problems, alert_label = [], "model '" ~ model.name ~ "'" -%}
  {%- if check_row -%}
    {#- One query: the model's rows, and every row sharing an alert_id with them. -#}
    {%- set catalog = ref('alert_configurations') -%}
    {%- set query_model_text = 'trim(cast(' ~ adapter.quote('query_model') ~ ' as ' ~ dbt.type_string() ~ '))' -%}
    {%- set alert_id_text = 'trim(cast(' ~ adapter.quote('alert_id') ~ ' as ' ~ dbt.type_string() ~ '))' -%}
    {%- set this_model = query_model_text ~ ' = ' ~ dbt_alerts.quote_string(model.name) -%}
    {%- set found = dbt_alerts.catalog_text_rows(catalog, where=this_model ~ ' or ' ~ alert_id_text ~ ' in (select '
          ~ alert_id_text ~ ' from ' ~ catalog ~ ' where ' ~ this_model ~ ')') -%}
    {%- set rows = found | selectattr('query_model', 'equalto', model.name) | list -%}
    {%- if rows | length == 0 -%}
      {{ exceptions.raise_compiler_error(
          "Alert model '" ~ model.name ~ "' has no row in " ~ seed_path ~ ": add a row with "
          ~ "query_model = '" ~ model.name ~ "' (or delete the model).") }}
    {%- elif rows | length > 1 -%}
      {{ exceptions.raise_compiler_error(
          "Alert model '" ~ model.name ~ "' has " ~ (rows | length) ~ " rows in " ~ seed_path ~ " ("
          ~ (rows | map(attribute='alert_id') | join(', ')) ~ "): one model per alert; give each alert its own model.") }}
    {%- endif -%}
    {%- set row = rows[0] -%}
    {%- set alert_label = dbt_alerts.catalog_row_label(row) -%}
    {%- set problems = dbt_alerts.catalog_row_problems(row, dbt_alerts.project_has_destinations_seed()) -%}
    {%- set same_id = found | selectattr('alert_id', 'equalto', row.alert_id) | list if row.alert_id else [] -%}
    {%- if same_id | length > 1 -%}
      {%- do problems.append(('alert_id', "alert_id is used by " ~ (same_id | length) ~ " rows ("
          ~ (same_id | map(attribute='query_model') | join(', ')) ~ "): give each row its own id")) -%}
    {%- endif -%}
  {%- endif -%}

  {{ run_hooks(pre_hooks) }}

  {#- The newline before ')' keeps a trailing -- comment in the query from swallowing it. -#}
  {%- call statement('main', fetch_result=True) -%}
    select * from (
      {{ sql }}
    ) as alert_query
    limit 0
  {%- endcall -%}
  {%- set output_columns = load_result('main')['table'].column_names | map('lower') | list -%}

  {%- if check_row -%}
    {%- set required = [('threshold_column', (row.threshold_column or '') | trim)] -%}
    {%- if (row.threshold_value_type or '') | trim | upper == 'COLUMN' -%}
      {%- do required.append(('threshold_value (COLUMN)', (row.threshold_value or '') | trim)) -%}
    {%- endif -%}
    {%- for field, column in required if column and (column | lower) not in output_columns -%}
      {%- do problems.append((field, field ~ " '" ~ column ~ "' is not an output column of the query (output columns: "
          ~ (output_columns | join(', ')) ~ "): fix the catalog row or alias the column in the query")) -%}
    {%- endfor -%}
    {#- A compiled condition (BETWEEN, IN, ...) adds this boolean column to the deployed query. -#}
    {%- set words = dbt_alerts.catalog_vocabulary() -%}
    {%- if (row.threshold_operator or '') | trim | upper in words.compiled_operators and words.condition_column in output_columns -%}
      {%- do problems.append(('threshold_operator', "threshold_operator " ~ (row.threshold_operator | trim) ~ " is compiled into the deployed "
          ~ "query as the column " ~ words.condition_column ~ ", which the query already outputs: rename that column")) -%}
    {%- endif -%}
  {%- endif -%}

  {%- if problems -%}
    {%- set lines = [] -%}
    {%- for field, message in problems -%}
      {%- do lines.append('  - ' ~ alert_label ~ ': ' ~ message) -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("Alert model '" ~ model.name ~ "': its row in " ~ seed_path
        ~ " is not a valid alert:\n" ~ (lines | join('\n'))) }}
  {%- endif -%}

  {{ run_hooks(post_hooks) }}
  {{ return({'relations': []}) }}
{% endmaterialization %}
