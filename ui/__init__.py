"""The only Streamlit-aware helpers: cached access to metrics, the shared filters, formatting."""
