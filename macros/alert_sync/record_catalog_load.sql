{#-
  The package's on-run-end hook: when this invocation loaded the alert catalog seed, record what
  it loaded (the seed file's checksum) and where (the seed's relation) in
  alert_sync.alert_catalog_loads, with the time the seed finished loading. A later build that does
  not load the seed compares the last load into that same relation with the file's checksum
  (dbt_alerts.catalog_seed_staleness), so an alert model never vouches for a row the warehouse
  does not hold, even when dev and prod share the alert_sync schema.
-#}
{% macro record_catalog_load(results) -%}
  {%- if execute and not flags.EMPTY -%}
    {%- set loads = dbt_alerts.alert_sync_relation('alert_catalog_loads') -%}
    {%- for result in results
          if loads is not none and result.node.resource_type == 'seed' and result.node.name == 'alert_configurations'
          and result.node.package_name == project_name and result.status == 'success' -%}
      {%- set finished = result.timing | map(attribute='completed_at') | select | list -%}
      {%- call statement('record_catalog_load', auto_begin=False) -%}
        insert into {{ loads }} (catalog_seed, catalog_relation, checksum, invocation_id, loaded_at)
        values ({{ dbt_alerts.quote_string(result.node.unique_id) }}, {{ dbt_alerts.quote_string(result.node.relation_name) }},
                {{ dbt_alerts.quote_string(result.node.checksum.checksum) }}, {{ dbt_alerts.quote_string(invocation_id) }},
                {% if finished -%}
                  cast({{ dbt_alerts.quote_string((finished | max).strftime('%Y-%m-%d %H:%M:%S.%f')) }} as timestamp)
                {%- else -%}
                  {{ dbt.current_timestamp() }}
                {%- endif %})
      {%- endcall -%}
    {%- endfor -%}
  {%- endif -%}
{%- endmacro %}
