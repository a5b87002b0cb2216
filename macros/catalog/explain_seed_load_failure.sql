{#-
  The package's on-run-end hook: when the host's alert_configurations or notification_destinations
  seed failed to load, say why in the package's words, next to the raw error dbt reports. The
  package cannot step in earlier: dbt reads the CSV (agate; dbt-core's seed materialization calls
  load_agate_table() before even a seed's pre-hooks) and the adapter loads it (dbt-duckdb's
  duckdb__load_csv_rows: COPY from the file). So this reads the failed result:
    - a table that already holds the seed with no text column: the first build of the header-only
      template without its yml typed every empty column as a number, and dbt keeps a seed table's
      types until a full refresh (dbt-core default__reset_csv_table truncates it; dbt-databricks
      replaces it, so this does not arise there);
    - agate's "Row <i> has <n> values, but Table only has <m> columns": a stray comma;
    - DuckDB's sniffer "... contain: <m> columns ... found by the sniffer: <n>": a missing comma
      (DuckDB does not name the row; alert-sync's catalog reader does).
  A log line, not an error: a failed hook makes dbt skip the hooks after it, the host's own
  on-run-end hooks included (dbt-core task/run.py runs the root project's hooks last).
-#}
{% macro explain_seed_load_failure(results) -%}
  {%- if execute -%}
    {%- for result in results
          if result.node.resource_type == 'seed' and result.node.package_name == project_name
          and result.node.name in ('alert_configurations', 'notification_destinations')
          and result.status == 'error' -%}
      {%- set problem = dbt_alerts.seed_load_problem(result.node, result.message or '') -%}
      {%- if problem -%}
        {{ log("dbt_alerts: " ~ result.node.original_file_path ~ " could not be loaded: " ~ problem, info=true) }}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
{%- endmacro %}


{#- Why a seed of the package's failed to load and the fix, or '' when the error is none of the known ones. -#}
{% macro seed_load_problem(seed_node, message) -%}
  {%- set relation = load_relation(api.Relation.create(database=seed_node.database, schema=seed_node.schema,
                                                       identifier=seed_node.alias)) -%}
  {%- set columns = adapter.get_columns_in_relation(relation) if relation is not none else [] -%}
  {%- set text_columns = [] -%}
  {%- for column in columns if column.is_string() -%}
    {%- do text_columns.append(column.name) -%}
  {%- endfor -%}
  {%- if columns and not text_columns -%}
    {%- set template = 'dbt_packages/dbt_alerts/seeds/' ~ seed_node.name ~ '.yml' -%}
    {{ return("the table " ~ relation ~ " has no text column: dbt typed its columns as numbers when it was first built "
        ~ "from the header-only template, and keeps a seed table's types until a full refresh. Copy " ~ template
        ~ " next to the CSV (every column text), then run once: dbt seed --full-refresh --select " ~ seed_node.name) }}
  {%- endif -%}
  {%- set extra = modules.re.search('Row (\\d+) has (\\d+) values, but Table only has (\\d+) columns', message) -%}
  {%- if extra -%}
    {%- set row = extra.group(1) | int + 1 -%}
    {{ return("data row " ~ row ~ " (line " ~ (row + 1) ~ " if no value spans lines) has " ~ extra.group(2)
        ~ " values, the header " ~ extra.group(3) ~ ". A value that holds a comma must be quoted (\"Revenue, daily\"); "
        ~ "otherwise remove the stray comma.") }}
  {%- endif -%}
  {%- set expected = modules.re.search('they contain: (\\d+) columns', message) -%}
  {%- set found = modules.re.search('found by the sniffer: (\\d+)', message) -%}
  {%- if expected and found -%}
    {{ return("a row has " ~ found.group(1) ~ " values, the header " ~ expected.group(1) ~ " (DuckDB does not say "
        ~ "which row; `alert-sync plan` does). Every row needs one value per header column: a missing comma "
        ~ "shifts the values after it; keep an empty value as two commas (,,).") }}
  {%- endif -%}
  {{ return('') }}
{%- endmacro %}
