"""File -> validated rows. Readers, dataset contracts and SQL validation; nothing here writes the store.

The pipeline (`loaders.pipeline.prepare`) reads a file into a staging DuckDB connection, recognises the
dataset of each sheet, validates it in SQL and returns `Prepared` sheets; `store.writer` commits them.
"""
