"""The embedded DuckDB store: connecting and reading (`db`), the schema (`schema`) and the only writer (`writer`)."""
