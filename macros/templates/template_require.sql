{#-
  Fails compilation when a template was called without one of its required arguments, naming the
  alert model, the template, the argument and how to pass it (Jinja alone would render the
  missing argument as an empty string and leave a broken query for the warehouse to reject).

    {{ dbt_alerts.template_require('cost_spike', {'relation': relation, 'date_column': date_column},
                                   "dbt_alerts.cost_spike(ref('fact_usage'), date_column='usage_date', cost_column='list_cost')") }}
-#}
{% macro template_require(template, arguments, example) -%}
  {%- for name, value in arguments.items() -%}
    {%- if value is none or (value is string and value | trim == '') -%}
      {%- do exceptions.raise_compiler_error(
            "Alert model '" ~ model.name ~ "': dbt_alerts." ~ template ~ "() is missing its required argument '"
            ~ name ~ "'. Pass it by name, e.g. {{ " ~ example ~ " }} (arguments: docs/templates.md).") -%}
    {%- endif -%}
  {%- endfor -%}
{%- endmacro %}
