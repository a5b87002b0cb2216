{#-
  The package's on-run-end hook: when this invocation loaded the alert catalog seed, record the
  checksum of what it loaded in alert_sync.alert_catalog_loads. A later build that does not load
  the seed compares it with the file's checksum (dbt_alerts.catalog_seed_staleness), so an alert
  model never vouches for a row the warehouse does not hold.
-#}
{% macro record_catalog_load(results) -%}
  {%- if execute -%}
    {%- set loads = dbt_alerts.alert_sync_relation('alert_catalog_loads') -%}
    {%- for result in results
          if loads is not none and result.node.resource_type == 'seed' and result.node.name == 'alert_configurations'
          and result.status == 'success' -%}
      {%- call statement('record_catalog_load', auto_begin=False) -%}
        insert into {{ loads }} (catalog_seed, checksum, invocation_id, loaded_at)
        values ({{ dbt_alerts.quote_string(result.node.unique_id) }}, {{ dbt_alerts.quote_string(result.node.checksum.checksum) }},
                {{ dbt_alerts.quote_string(invocation_id) }}, {{ dbt.current_timestamp() }})
      {%- endcall -%}
    {%- endfor -%}
  {%- endif -%}
{%- endmacro %}
