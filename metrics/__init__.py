"""Read-only figures over the store. Every function takes a connection and keyword filters and returns a
DataFrame or a pydantic model; aggregation happens in DuckDB SQL. Nothing here imports Streamlit or
writes. Definitions: METRICS.md."""
