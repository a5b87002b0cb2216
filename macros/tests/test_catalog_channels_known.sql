{#-
  Column test: every ';'-separated notification channel is an email address or the
  destination_id of an enabled row in the notification destinations seed (`destinations`).
-#}
{% test catalog_channels_known(model, column_name, destinations) %}
  {%- set problems = [] -%}
  {%- if execute -%}
    {%- set known = {} -%}
    {%- for row in run_query("select destination_id, is_enabled from " ~ destinations).rows -%}
      {%- do known.update({(row[0] or '') | trim: row[1]}) -%}
    {%- endfor -%}
    {%- set rows = run_query("select " ~ catalog_row_label() ~ ", " ~ column_name ~ " from " ~ model ~ " order by 1").rows -%}
    {%- for row in rows -%}
      {%- for channel in (row[1] or '').split(';') | map('trim') -%}
        {%- if channel == '' -%}
          {%- if (row[1] or '') | trim == '' or loop.length > 1 -%}
            {%- do problems.append((row[0], column_name ~ " '" ~ (row[1] or '') ~ "' has an empty channel; list emails or destination ids separated by ';'")) -%}
          {%- endif -%}
        {%- elif modules.re.fullmatch('[^@\s]+@[^@\s]+\.[^@\s]+', channel) -%}
        {%- elif channel not in known -%}
          {%- do problems.append((row[0], "channel '" ~ channel ~ "' is neither an email address nor a destination_id in seeds/notification_destinations.csv (known: " ~ (known.keys() | sort | join(', ')) ~ ")")) -%}
        {%- elif not known[channel] -%}
          {%- do problems.append((row[0], "channel '" ~ channel ~ "' is disabled in seeds/notification_destinations.csv; enable it or remove it from the alert")) -%}
        {%- endif -%}
      {%- endfor -%}
    {%- endfor -%}
  {%- endif -%}
  {{ catalog_test_result(model, column_name ~ ' are known channels', problems) }}
{% endtest %}
