{#- Column test: the column holds an IANA time zone id (the list dbt ships through pytz). -#}
{% test catalog_timezone_valid(model, column_name) %}
  {%- set problems = [] -%}
  {%- if execute -%}
    {%- set zones = modules.pytz.all_timezones_set -%}
    {%- set rows = run_query("select " ~ catalog_row_label() ~ ", " ~ column_name ~ " from " ~ model ~ " order by 1").rows -%}
    {%- for row in rows if row[1] not in zones -%}
      {%- do problems.append((row[0], column_name ~ " '" ~ (row[1] or '') ~ "' is not an IANA time zone id; use e.g. 'UTC', 'America/Los_Angeles', 'Europe/Berlin'")) -%}
    {%- endfor -%}
  {%- endif -%}
  {{ catalog_test_result(model, column_name ~ ' is an IANA time zone', problems) }}
{% endtest %}
