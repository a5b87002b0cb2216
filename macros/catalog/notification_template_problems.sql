{#-
  What is wrong with one notification template (custom_summary or custom_description) of an
  alert: a list of messages, each naming the field, the placeholder and the fix. Templates are
  Mustache: {{NAME}} (also {{{NAME}}} and {{&NAME}}), sections {{#NAME}}...{{/NAME}} and
  {{^NAME}}...{{/NAME}}, comments {{! ...}}. Outside a section only the Alerts v2 template
  variables (catalog_vocabulary's template_variables) may be used; inside a section (e.g.
  {{#QUERY_RESULT_ROWS}}{{cost}}{{/QUERY_RESULT_ROWS}}) any name is a column of the row.
  Partials ({{> x}}) and delimiter changes ({{= =}}) are not supported by the service's templates.
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
    {%- if kind == '!' -%}
    {%- elif kind in ('>', '=') -%}
      {%- do problems.append(field ~ " uses " ~ placeholder ~ ": partials and delimiter changes are not supported; " ~ use) -%}
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
      {%- if kind in ('#', '^') -%}
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
