{#-
  Local (DuckDB) stand-in for system.access.audit: what alert_source('system_access', 'audit')
  reads on the local target. A CSV seed cannot hold STRUCT or MAP columns, so the seed
  system_access__audit_csv keeps user_identity, request_params and response as JSON text; this view
  gives them back the documented types, so an alert reads user_identity.email,
  request_params['targetGroupName'] or response.status_code here exactly as on Databricks.
  (On Spark / Databricks the same conversion is from_json(request_params, 'map<string,string>'),
  from_json(user_identity, 'struct<email:string,subject_name:string>'),
  from_json(response, 'struct<status_code:int,error_message:string,result:string>').)
-#}
{{ config(materialized='view', schema='sample_data', enabled=(target.type == 'duckdb')) }}

select
    workspace_id,
    version,
    event_time,
    event_date,
    source_ip_address,
    user_agent,
    json_transform(user_identity, '{"email": "VARCHAR", "subject_name": "VARCHAR"}') as user_identity,
    service_name,
    action_name,
    json_transform(request_params, '"MAP(VARCHAR, VARCHAR)"') as request_params,
    json_transform(response, '{"status_code": "INTEGER", "error_message": "VARCHAR", "result": "VARCHAR"}') as response,
    audit_level,
    event_id
from {{ ref('system_access__audit_csv') }}
