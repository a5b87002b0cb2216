{#-
  A dbt_alerts setting, as the host project set it (Elementary's get_config_var habit).

  A host sets package settings globally (`vars: {alerts_parent_path: ...}`), scoped to the package
  (`vars: {dbt_alerts: {alerts_parent_path: ...}}`) or with `--vars`. dbt's var() scopes vars by
  the package of the node being rendered, so from a host's alert model (a node of the host
  project) var() does not see the `dbt_alerts:` block: this accessor reads it explicitly, so the
  package's own models, the host's alert models, the materialization and what alert-sync deploys
  all see the same value. Precedence, as dbt gives it to the package's own nodes:
    1. --vars on the command line;
    2. vars: dbt_alerts: <name> in the root project;
    3. vars: <name> (global, or scoped to the calling node's project);
    4. the default in alerts_default_config().
  Give settings on the command line at top level (`--vars '{alerts_display_name_prefix: "[DEV] "}'`):
  `--vars '{dbt_alerts: {...}}'` would replace the project's whole `dbt_alerts:` block.
-#}
{% macro get_config_var(name) -%}
  {%- set defaults = dbt_alerts.alerts_default_config() -%}
  {%- if name not in defaults -%}
    {{ exceptions.raise_compiler_error("dbt_alerts has no setting '" ~ name ~ "'; the settings are: "
        ~ (defaults.keys() | sort | join(', '))) }}
  {%- endif -%}
  {%- set cli_vars = invocation_args_dict.get('vars') or {} -%}
  {%- if cli_vars is string -%}
    {%- set cli_vars = fromyaml(cli_vars) or {} -%}
  {%- endif -%}
  {%- if name in cli_vars -%}
    {{ return(var(name)) }}
  {%- endif -%}
  {%- set package_vars = var('dbt_alerts', {}) -%}
  {%- if package_vars is mapping and name in package_vars -%}
    {{ return(package_vars[name]) }}
  {%- endif -%}
  {{ return(var(name, defaults[name])) }}
{%- endmacro %}
