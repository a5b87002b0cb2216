{#-
  Shared ending of the catalog tests. `problems` is a list of (row label, message) found at
  execution time. dbt's own failure line ("Got 3 results") names no alert, so when the test runs
  (dbt test / dbt build) and finds problems it stops with a message that names each alert, the
  field and the fix. The returned SQL has one row per problem, so the test also fails on its own
  (and `--store-failures` keeps the list).
-#}
{% macro catalog_test_result(check_name, problems, seed_path) -%}
  {%- if problems and flags.WHICH in ('test', 'build') -%}
    {%- set lines = [] -%}
    {%- for label, message in problems -%}
      {%- do lines.append('  - ' ~ label ~ ': ' ~ message) -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "Alert catalog check '" ~ check_name ~ "' failed for " ~ (problems | length) ~ " row(s) of "
        ~ seed_path ~ ":\n" ~ (lines | join('\n'))) }}
  {%- endif -%}
  {%- for label, message in problems %}
  select {{ dbt_alerts.quote_string(label) }} as alert, {{ dbt_alerts.quote_string(message) }} as problem
  {{- '' if loop.last else ' union all' }}
  {%- else %}
  select {{ dbt_alerts.quote_string('') }} as alert, {{ dbt_alerts.quote_string('') }} as problem where 1 = 0
  {%- endfor %}
{%- endmacro %}
