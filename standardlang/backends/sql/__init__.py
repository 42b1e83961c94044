"""The SQL back end: the same specs judged inside a database (DuckDB; see docs/sql.md)."""
