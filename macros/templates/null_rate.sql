{#-
  Null rate: the share (%) of rows of `relation` whose `column` is NULL (with blank_is_null, also
  an empty or all-blank string).

    {{ dbt_alerts.null_rate(ref('dim_customers'), column='email', blank_is_null=true) }}

  Output, one row: null_pct (2 decimals; NULL when the relation has no row), null_rows, total_rows.
  Catalog: threshold_column null_pct (e.g. > 2).
-#}
{% macro null_rate(relation=none, column=none, blank_is_null=false, where=none) -%}
  {{- dbt_alerts.template_require('null_rate', {'relation': relation, 'column': column},
        "dbt_alerts.null_rate(ref('dim_customers'), column='email')") -}}
  {%- set is_null -%}
    case when {{ "coalesce(trim(" ~ column ~ "), '') = ''" if blank_is_null else column ~ " is null" }} then 1 else 0 end
  {%- endset %}
select
    round(100.0 * sum({{ is_null }}) / nullif(count(*), 0), 2) as null_pct,
    coalesce(sum({{ is_null }}), 0) as null_rows,
    count(*) as total_rows
from {{ relation }}
{%- if where %}
where {{ where }}
{%- endif %}
{%- endmacro %}
