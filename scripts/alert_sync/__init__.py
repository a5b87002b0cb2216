"""alert-sync: deploy the dbt alert catalog to Databricks SQL Alerts v2."""

__version__ = "0.1.0"
