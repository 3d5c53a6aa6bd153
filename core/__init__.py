"""Shared plumbing every layer stands on: paths, the database, the strategy configuration and
the dbt runner. It imports nothing of the project's other packages."""
