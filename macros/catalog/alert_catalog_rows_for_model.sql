{#- The catalog rows (seed alert_configurations) whose query_model is `model_name`, as dicts. -#}
{% macro alert_catalog_rows_for_model(model_name) -%}
  {%- set query -%}
    select alert_id, threshold_column, threshold_value_type, threshold_value
    from {{ ref('alert_configurations') }}
    where query_model = '{{ model_name | replace("'", "''") }}'
    order by alert_id
  {%- endset -%}
  {%- set rows = [] -%}
  {%- if execute -%}
    {%- for row in run_query(query).rows -%}
      {%- do rows.append({'alert_id': row[0], 'threshold_column': row[1],
                          'threshold_value_type': row[2], 'threshold_value': row[3]}) -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(rows) }}
{%- endmacro %}
