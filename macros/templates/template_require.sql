{#-
  Fails compilation when a template was called without one of its required arguments, or with a
  count or factor that is not a positive number, naming the alert model, the template, the
  argument and how to pass it (Jinja alone would render a missing argument as an empty string and
  leave a broken query for the warehouse to reject).

    {{ dbt_alerts.template_require('cost_spike', {'relation': relation, 'date_column': date_column},
                                   "dbt_alerts.cost_spike(ref('fact_usage'), date_column='usage_date', cost_column='list_cost')",
                                   positive_integers={'baseline_days': baseline_days}) }}
-#}
{% macro template_require(template, arguments, example, positive_integers={}, positive_numbers={}) -%}
  {%- set where = "Alert model '" ~ model.name ~ "': dbt_alerts." ~ template ~ "() " -%}
  {%- for name, value in arguments.items() -%}
    {%- if value is none or (value is string and value | trim == '') -%}
      {%- do exceptions.raise_compiler_error(where ~ "is missing its required argument '" ~ name
            ~ "'. Pass it by name, e.g. {{ " ~ example ~ " }} (arguments: docs/templates.md).") -%}
    {%- endif -%}
  {%- endfor -%}
  {%- for name, value in positive_integers.items() -%}
    {%- if value is not number or value is sameas true or value is sameas false or value < 1 or value != value | int -%}
      {%- do exceptions.raise_compiler_error(where ~ "needs argument '" ~ name ~ "' as a whole number of at least 1, got "
            ~ value ~ " (e.g. " ~ name ~ "=7, no quotes).") -%}
    {%- endif -%}
  {%- endfor -%}
  {%- for name, value in positive_numbers.items() -%}
    {%- if value is not number or value is sameas true or value is sameas false or value <= 0 -%}
      {%- do exceptions.raise_compiler_error(where ~ "needs argument '" ~ name ~ "' as a number above 0, got "
            ~ value ~ " (e.g. " ~ name ~ "=3, no quotes).") -%}
    {%- endif -%}
  {%- endfor -%}
{%- endmacro %}
