{#-
  Why a Quartz cron expression is invalid, or '' when it is valid. Alerts v2 schedules take Quartz
  syntax: "sec min hour day-of-month month day-of-week [year]", and exactly one of day-of-month /
  day-of-week must be '?'. Written here because neither dbt nor the warehouses parse Quartz cron.
-#}
{% macro quartz_cron_problem(expression) -%}
  {%- set re = modules.re -%}
  {%- set fields = (expression or '').split() -%}
  {%- if fields | length not in (6, 7) -%}
    {{ return("has " ~ (fields | length) ~ " fields; Quartz cron needs 6 or 7: sec min hour day-of-month month day-of-week [year], e.g. '0 0 6 * * ?'") }}
  {%- endif -%}
  {%- set names = ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week', 'year'] -%}
  {%- set ranges = [(0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (1, 7), (1970, 2099)] -%}
  {%- set months = ['JAN','FEB','MAR','APR','MAY','JUN','JUL','AUG','SEP','OCT','NOV','DEC'] -%}
  {%- set days = ['SUN','MON','TUE','WED','THU','FRI','SAT'] -%}
  {%- if (fields[3] == '?') == (fields[5] == '?') -%}
    {{ return("exactly one of day-of-month ('" ~ fields[3] ~ "') and day-of-week ('" ~ fields[5] ~ "') must be '?'") }}
  {%- endif -%}
  {%- for field in fields -%}
    {%- set i = loop.index0 -%}
    {%- set low, high = ranges[i] -%}
    {%- set ok = namespace(value=true) -%}
    {%- if field == '?' -%}
      {%- set ok.value = i in (3, 5) -%}
    {%- elif i == 3 and re.fullmatch('L(-[0-9]{1,2})?|LW|[0-9]{1,2}W', field) -%}
      {%- set ok.value = true -%}
    {%- elif i == 5 and re.fullmatch('[1-7]L|L|[1-7]#[1-5]|(SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5])', field) -%}
      {%- set ok.value = true -%}
    {%- else -%}
      {%- for part in field.split(',') -%}
        {%- set m = re.fullmatch('([*]|[0-9]+|[A-Z]{3})(?:-([0-9]+|[A-Z]{3}))?(?:/([0-9]+))?', part) -%}
        {%- if not m -%}
          {%- set ok.value = false -%}
        {%- else -%}
          {%- for token in [m.group(1), m.group(2)] if token and token != '*' -%}
            {%- if token in months and i == 4 -%}
            {%- elif token in days and i == 5 -%}
            {%- elif token.isdigit() and low <= (token | int) <= high -%}
            {%- else -%}
              {%- set ok.value = false -%}
            {%- endif -%}
          {%- endfor -%}
          {%- if m.group(3) and (m.group(3) | int) < 1 -%}
            {%- set ok.value = false -%}
          {%- endif -%}
        {%- endif -%}
      {%- endfor -%}
    {%- endif -%}
    {%- if not ok.value -%}
      {{ return(names[i] ~ " field '" ~ field ~ "' is not valid Quartz syntax (range " ~ low ~ "-" ~ high ~ ")") }}
    {%- endif -%}
  {%- endfor -%}
  {{ return('') }}
{%- endmacro %}
