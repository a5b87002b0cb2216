{#-
  Local (DuckDB) stand-in for system.billing.usage: what alert_source('system_billing', 'usage')
  reads on the local target. The seed system_billing__usage_csv keeps the product_features STRUCT
  as JSON text (a CSV cannot hold a STRUCT); this view gives it back its type, so an alert reads
  product_features.is_serverless here exactly as on Databricks. The sample fills only
  is_serverless of the real struct's fields. (On Spark / Databricks:
  from_json(product_features, 'struct<is_serverless:boolean>').)
-#}
{{ config(materialized='view', schema='sample_data', enabled=(target.type == 'duckdb')) }}

select
    record_id,
    workspace_id,
    sku_name,
    cloud,
    usage_start_time,
    usage_end_time,
    usage_date,
    usage_unit,
    usage_quantity,
    record_type,
    billing_origin_product,
    json_transform(product_features, '{"is_serverless": "BOOLEAN"}') as product_features,
    usage_type
from {{ ref('system_billing__usage_csv') }}
