{#- The columns of the notification destinations seed (seeds/notification_destinations.csv), in header order.
    addresses and secret_env came later: a seed without them reads them as empty. -#}
{% macro destination_columns() -%}
  {{ return(['destination_id', 'destination_name', 'destination_type', 'databricks_destination_id', 'owner',
             'is_enabled', 'addresses', 'secret_env']) }}
{%- endmacro %}
