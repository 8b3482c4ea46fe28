"""Identity resolution (OneID) algorithms used by the dbt identity models."""
