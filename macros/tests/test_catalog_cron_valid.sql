{#- Column test: the column holds a valid Quartz cron expression (see quartz_cron_problem). -#}
{% test catalog_cron_valid(model, column_name) %}
  {%- set problems = [] -%}
  {%- if execute -%}
    {%- set rows = run_query("select " ~ catalog_row_label() ~ ", " ~ column_name ~ " from " ~ model ~ " order by 1").rows -%}
    {%- for row in rows -%}
      {%- set problem = quartz_cron_problem(row[1]) -%}
      {%- if problem -%}
        {%- do problems.append((row[0], column_name ~ " '" ~ (row[1] or '') ~ "' " ~ problem)) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
  {{ catalog_test_result(model, column_name ~ ' is a Quartz cron expression', problems) }}
{% endtest %}
