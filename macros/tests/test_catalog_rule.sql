{#-
  Column test on the alert catalog: rows where `invalid_when` (SQL) holds are errors; `fix` says
  what a valid value looks like. `invalid_when` may also use rows_with_same_alert_id. Example:
      - catalog_rule:
          invalid_when: "severity not in ('CRITICAL', 'WARNING', 'INFO')"
          fix: "use CRITICAL, WARNING or INFO"
-#}
{% test catalog_rule(model, column_name, invalid_when, fix) %}
  {%- set problems = [] -%}
  {%- if execute -%}
    {%- set query -%}
      select {{ catalog_row_label() }} as label, cast({{ column_name }} as {{ dbt.type_string() }}) as bad_value
      from (
          select *, count(*) over (partition by alert_id) as rows_with_same_alert_id
          from {{ model }}
      ) as catalog
      where {{ invalid_when }}
      order by 1
    {%- endset -%}
    {%- for row in run_query(query).rows -%}
      {%- set shown = "empty" if row[1] is none else "'" ~ row[1] ~ "'" -%}
      {%- do problems.append((row[0], column_name ~ " is " ~ shown ~ ": " ~ fix)) -%}
    {%- endfor -%}
  {%- endif -%}
  {{ catalog_test_result(model, column_name ~ ': ' ~ fix, problems) }}
{% endtest %}
