{#-
  What is wrong with one notification template (custom_summary or custom_description) of an
  alert: a list of messages, each naming the field, the placeholder and the fix. The templates
  take the forms the Databricks docs show, and nothing else: {{NAME}} with NAME one of the Alerts
  v2 template variables (catalog_vocabulary's template_variables), and the row section
  {{#QUERY_RESULT_ROWS}}...{{/QUERY_RESULT_ROWS}}, inside which a name is a column of the row
  (e.g. {{#QUERY_RESULT_ROWS}}{{cost}}{{/QUERY_RESULT_ROWS}}). Other Mustache forms (other
  sections, inverted sections, triple braces, comments, partials, delimiter changes) are refused:
  undocumented for the service, and `alert-sync evaluate` (evaluate/notification.py, which keeps
  the same list) renders exactly these forms.
-#}
{% macro notification_template_problems(field, text) -%}
  {%- set re = modules.re -%}
  {%- set allowed = dbt_alerts.catalog_vocabulary().template_variables -%}
  {%- set use = "use {{NAME}} with NAME one of " ~ (allowed | join(', ')) -%}
  {%- set problems, stack = [], [] -%}
  {%- set tag = '[{][{][{]\\s*([^{}]*?)\\s*[}][}][}]|[{][{]\\s*([#^/&!>=]?)\\s*([^{}]*?)\\s*[}][}]' -%}
  {%- for m in re.finditer(tag, text or '') -%}
    {%- set placeholder = m.group(0) -%}
    {%- set kind = '' if m.group(1) is not none else m.group(2) -%}
    {%- set name = m.group(1) if m.group(1) is not none else m.group(3) -%}
    {%- if m.group(1) is not none or kind in ('&', '!', '>', '=', '^') -%}
      {%- do problems.append(field ~ " uses " ~ placeholder ~ ": only {{NAME}} and the {{#QUERY_RESULT_ROWS}}...{{/QUERY_RESULT_ROWS}} "
          ~ "section are Alerts v2 template forms; " ~ use) -%}
    {%- elif name == '' or re.search('\\s', name) -%}
      {%- do problems.append(field ~ " has the malformed placeholder " ~ placeholder ~ ": " ~ use) -%}
    {%- elif kind == '/' -%}
      {%- if not stack -%}
        {%- do problems.append(field ~ " closes " ~ placeholder ~ " without an open {{#" ~ name ~ "}}: remove it or open the section") -%}
      {%- elif stack[-1] != name -%}
        {%- do problems.append(field ~ " closes " ~ placeholder ~ " while {{#" ~ stack[-1] ~ "}} is open: close {{/" ~ stack[-1] ~ "}} first") -%}
      {%- else -%}
        {%- do stack.pop() -%}
      {%- endif -%}
    {%- else -%}
      {%- if not stack and name not in allowed -%}
        {%- do problems.append(field ~ " uses the unknown placeholder " ~ placeholder ~ ": " ~ use
            ~ " (a column name only inside a {{#QUERY_RESULT_ROWS}}...{{/QUERY_RESULT_ROWS}} section)") -%}
      {%- endif -%}
      {%- if kind == '#' and (name != 'QUERY_RESULT_ROWS' or stack) -%}
        {%- do problems.append(field ~ " opens the section " ~ placeholder ~ ": the only section is one "
            ~ "{{#QUERY_RESULT_ROWS}}...{{/QUERY_RESULT_ROWS}} (not nested), repeated for each result row") -%}
      {%- endif -%}
      {%- if kind == '#' -%}
        {%- do stack.append(name) -%}
      {%- endif -%}
    {%- endif -%}
  {%- endfor -%}
  {%- for name in stack -%}
    {%- do problems.append(field ~ " opens {{#" ~ name ~ "}} and never closes it: add {{/" ~ name ~ "}}") -%}
  {%- endfor -%}
  {%- set rest = re.sub(tag, '', text or '') -%}
  {%- set stray = re.search('.{0,12}([{][{]|[}][}]).{0,12}', rest) -%}
  {%- if stray -%}
    {%- do problems.append(field ~ " has unbalanced braces near '" ~ stray.group(0) ~ "': write placeholders as {{NAME}}; " ~ use) -%}
  {%- endif -%}
  {{ return(problems) }}
{%- endmacro %}
