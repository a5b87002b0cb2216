{#-
  Data freshness: hours since `relation` was last written, i.e. from the latest `timestamp_column`
  before dbt_alerts.alerts_now() (rows stamped later are ignored, so a backtest sees the table as
  it was) to alerts_now().

    {{ dbt_alerts.data_freshness(ref('fact_orders'), timestamp_column='record_updated_timestamp') }}

  Output, one row: hours_since_update (1 decimal; 9999 when there is no row at all),
  last_updated_at (the latest timestamp; NULL when there is none).
  Catalog: threshold_column hours_since_update (e.g. > 26).
-#}
{% macro data_freshness(relation=none, timestamp_column=none, where=none) -%}
  {{- dbt_alerts.template_require('data_freshness',
        {'relation': relation, 'timestamp_column': timestamp_column},
        "dbt_alerts.data_freshness(ref('fact_orders'), timestamp_column='updated_at')") -}}
select
    round(coalesce({{ dbt.datediff('max(' ~ timestamp_column ~ ')', dbt_alerts.alerts_now(), 'minute') }}, 599940) / 60.0, 1) as hours_since_update,
    max({{ timestamp_column }}) as last_updated_at
from {{ relation }}
where {{ timestamp_column }} < {{ dbt_alerts.alerts_now() }}
  {%- if where %}
  and ({{ where }})
  {%- endif %}
{%- endmacro %}
