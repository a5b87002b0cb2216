{#-
  Model test on stg_alert_configurations: every row of the project's notification destinations
  seed is a valid destination (dbt_alerts.destination_row_problems), and destination ids are
  unique. The failure names each destination, the field and the fix.

  The seed is optional. `ref('notification_destinations')` resolves to the host project's seed
  when it has one; otherwise to the package's own template of that name, which is disabled, and
  dbt then disables this test without a warning (dbt-core parser/manifest.py, _process_refs_for_node
  -> invalid_target_fail_unless_test(..., should_warn_if_disabled=False)). The ref also orders the
  test after the seed's load in `dbt build`. In a host with the seed a full parse warns (dbt I077)
  that this package node depends on a root project node, which is what it is meant to do; the
  host's flag require_ref_searches_node_package_before_root: true silences that (docs/catalog.md).
  What only the workspace can tell (an id it lacks, a name two destinations share, admin rights, the
  secret's environment variable being set) is reported by `alert-sync plan` / `apply`.
-#}
{% test destinations_rows_valid(model) %}
  {%- set relation = ref('notification_destinations') -%}
  {%- set problems = [] -%}
  {%- set seed = namespace(path='seeds/notification_destinations.csv') -%}
  {%- if execute and not flags.EMPTY -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'seed' and node.name == 'notification_destinations'
          and node.package_name == project_name -%}
      {%- set seed.path = node.original_file_path -%}
    {%- endfor -%}
    {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- set query -%}
      select
      {%- for column in dbt_alerts.destination_columns() %}
        {% if column in present -%}
        trim(cast({{ adapter.quote(column) }} as {{ dbt.type_string() }}))
        {%- else -%}
        cast(null as {{ dbt.type_string() }})
        {%- endif %} as {{ column }}{{ ',' if not loop.last }}
      {%- endfor %}
      from {{ relation }}
    {%- endset -%}
    {%- set ids = {} -%}
    {%- for row in run_query(query).rows -%}
      {%- set label = (row.destination_id or '') | trim or "(row without destination_id, destination_name '" ~ ((row.destination_name or '') | trim) ~ "')" -%}
      {%- for field, message in dbt_alerts.destination_row_problems(row) -%}
        {%- do problems.append((label, message)) -%}
      {%- endfor -%}
      {%- if (row.destination_id or '') | trim -%}
        {%- do ids.update({label: ids.get(label, 0) + 1}) -%}
      {%- endif -%}
    {%- endfor -%}
    {%- for destination_id, count in ids.items() | sort if count > 1 -%}
      {%- do problems.append((destination_id, "destination_id is used by " ~ count ~ " rows: give each row its own id")) -%}
    {%- endfor -%}
  {%- endif -%}
  {{ dbt_alerts.catalog_test_result('every row is a valid notification destination', problems, seed.path) }}
{% endtest %}
