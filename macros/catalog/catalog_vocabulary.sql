{#-
  The words the alert catalog accepts, in one place: the row checks (catalog_row_problems) and the
  typed model (stg_alert_configurations) both read them. Alerts v2 enum names follow
  databricks-sdk's ComparisonOperator, Aggregation, AlertEvaluationState and SchedulePauseStatus.
  compiled_operators: Alerts v2 has no such operator; alert-sync compiles them into the deployed
  query as the boolean column condition_column (scripts/alert_sync/conditions.py, same name).
  template_variables: the notification template variables of Databricks SQL alerts
  (https://docs.databricks.com/aws/en/sql/user/alerts/ "Advanced settings", custom template);
  inside a {{#QUERY_RESULT_ROWS}} section a column name is a variable too.
-#}
{% macro catalog_vocabulary() -%}
  {{ return({
      'operators': {
          '>': 'GREATER_THAN', '>=': 'GREATER_THAN_OR_EQUAL', '<': 'LESS_THAN', '<=': 'LESS_THAN_OR_EQUAL',
          '=': 'EQUAL', '==': 'EQUAL', '!=': 'NOT_EQUAL', '<>': 'NOT_EQUAL',
          'GREATER_THAN': 'GREATER_THAN', 'GREATER_THAN_OR_EQUAL': 'GREATER_THAN_OR_EQUAL', 'LESS_THAN': 'LESS_THAN',
          'LESS_THAN_OR_EQUAL': 'LESS_THAN_OR_EQUAL', 'EQUAL': 'EQUAL', 'NOT_EQUAL': 'NOT_EQUAL',
          'IS_NULL': 'IS_NULL', 'IS_NOT_NULL': 'IS_NOT_NULL',
      },
      'null_checks': ['IS_NULL', 'IS_NOT_NULL'],
      'compiled_operators': ['BETWEEN', 'NOT_BETWEEN', 'IN', 'NOT_IN'],
      'compiled_value_types': ['DOUBLE', 'STRING'],
      'condition_column': 'dbt_alerts_condition_met',
      'template_variables': ['ALERT_STATUS', 'ALERT_NAME', 'ALERT_URL', 'ALERT_CONDITION', 'ALERT_THRESHOLD',
                             'ALERT_COLUMN', 'QUERY_RESULT_VALUE', 'QUERY_RESULT_TABLE', 'QUERY_RESULT_ROWS',
                             'QUERY_RESULT_COLS'],
      'value_types': ['DOUBLE', 'STRING', 'BOOLEAN', 'COLUMN'],
      'first_row': ['', 'NONE', 'FIRST'],
      'aggregations': ['SUM', 'COUNT', 'COUNT_DISTINCT', 'AVG', 'MEDIAN', 'MIN', 'MAX', 'STDDEV'],
      'severities': ['CRITICAL', 'WARNING', 'INFO'],
      'empty_result_states': ['OK', 'TRIGGERED', 'ERROR'],
      'pause_statuses': ['PAUSED', 'UNPAUSED'],
      'true': ['true', '1', 'yes'],
      'false': ['false', '0', 'no'],
  }) }}
{%- endmacro %}
