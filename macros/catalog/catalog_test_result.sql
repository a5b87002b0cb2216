{#-
  Shared ending of every catalog test. `problems` is a list of (alert label, message) found at
  execution time. dbt's own failure line ("Got 3 results") names no alert, so when the test runs
  (dbt test / dbt build) and finds problems it stops with a message that names each alert, the
  field and the fix. The returned SQL selects the offending rows, so the test also fails on its own.
-#}
{% macro catalog_test_result(model, check_name, problems) -%}
  {%- if problems and flags.WHICH in ('test', 'build') -%}
    {%- set lines = [] -%}
    {%- for label, message in problems -%}
      {%- do lines.append('  - ' ~ label ~ ': ' ~ message) -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "Alert catalog check '" ~ check_name ~ "' failed for " ~ (problems | length) ~ " row(s) of "
        ~ "seeds/alert_configurations.csv:\n" ~ (lines | join('\n'))) }}
  {%- endif -%}
  {%- set labels = [] -%}
  {%- for label, message in problems -%}
    {%- do labels.append("'" ~ (label | replace("'", "''")) ~ "'") -%}
  {%- endfor -%}
  select * from {{ model }}
  where {% if labels %}{{ catalog_row_label() }} in ({{ labels | join(', ') }}){% else %}1 = 0{% endif %}
{%- endmacro %}
