{#-
  Why the catalog rows in the warehouse may not be the ones in the seed file dbt just parsed, or
  '' when they are. An alert model checks its row in the warehouse; alert-sync deploys the row of
  the file (and refuses a file that changed after the build). The two agree when
    - this `dbt build` loaded the seed (it is selected, and a parent of the alert model, so it
      ran first), or
    - the last successful load into the seed's relation (recorded by dbt_alerts.record_catalog_load
      in source table alert_sync.alert_catalog_loads) had the checksum the file has now.
  A build that defers to another environment's seed (slim CI, --defer) should select the seed too.
-#}
{% macro catalog_seed_staleness(seed_node) -%}
  {%- if flags.WHICH == 'build' and seed_node.unique_id in selected_resources -%}
    {{ return('') }}
  {%- endif -%}
  {%- set how = "include the seed in the build (e.g. `dbt build --select " ~ seed_node.name ~ " <alert models>`) or run `dbt seed`" -%}
  {%- set loads = dbt_alerts.alert_sync_relation('alert_catalog_loads') -%}
  {%- set recorded = none -%}
  {%- if loads is not none and load_relation(loads) is not none -%}
    {%- set query -%}
      select checksum from {{ loads }}
      where catalog_relation = {{ dbt_alerts.quote_string(seed_node.relation_name) }}
      order by loaded_at desc
      limit 1
    {%- endset -%}
    {%- set rows = run_query(query).rows -%}
    {%- set recorded = rows[0][0] if rows else none -%}
  {%- endif -%}
  {%- if recorded is none -%}
    {{ return(seed_node.original_file_path ~ " has not been loaded by `dbt seed` or `dbt build` with this version of dbt_alerts: " ~ how ~ ".") }}
  {%- elif recorded != seed_node.checksum.checksum -%}
    {{ return(seed_node.original_file_path ~ " changed since it was last loaded into the warehouse, so this alert's row "
        ~ "there may not be the one alert-sync would deploy: " ~ how ~ ".") }}
  {%- endif -%}
  {{ return('') }}
{%- endmacro %}
