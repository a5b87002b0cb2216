{#-
  The words the alert catalog accepts, in one place: the row checks (catalog_row_problems) and the
  typed model (stg_alert_configurations) both read them. Alerts v2 enum names follow
  databricks-sdk's ComparisonOperator, Aggregation, AlertEvaluationState and SchedulePauseStatus.
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
