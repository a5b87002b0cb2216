{#-
  What is wrong with a notification_channels value (';'-separated emails or destination ids).
  `has_destinations` (dbt_alerts.project_has_destinations_seed()): the project has a
  notification_destinations seed, so a channel that is not an email is taken as a destination_id. alert-sync checks those ids against the seed file it
  deploys from, and refuses (ERROR, naming the alert and the channel) one that is unknown or
  disabled. They are not read here: a dbt test that ref()s an optional seed either fails or warns
  in the projects that do not have it. Returns messages.
-#}
{% macro channel_problems(channels, has_destinations) -%}
  {%- set problems = [] -%}
  {%- set items = (channels or '').split(';') | map('trim') | list -%}
  {%- if '' in items and (items | length > 1) -%}
    {%- do problems.append("notification_channels '" ~ channels ~ "' has an empty entry: list emails or destination ids separated by ';'") -%}
  {%- endif -%}
  {%- for channel in items if channel != '' and not modules.re.fullmatch('[^@\\s]+@[^@\\s]+[.][^@\\s]+', channel) -%}
    {%- if '@' in channel -%}
      {%- do problems.append("channel '" ~ channel ~ "' is not a valid email address") -%}
    {%- elif not has_destinations -%}
      {%- do problems.append("channel '" ~ channel ~ "' is not an email address, and the project has no "
          ~ "seeds/notification_destinations.csv naming destinations: fix the address, or add that seed with a row "
          ~ "whose destination_id is '" ~ channel ~ "'") -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(problems) }}
{%- endmacro %}
