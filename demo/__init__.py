"""The demo organisation: a seeded, deterministic generator of the files a real AIMS office keeps.

`python -m demo.generate` writes them into `data/demo/` (or `--out DIR`): per-quarter Statements of
Applicability and risk registers for 2025-Q2 .. 2026-Q3, the AI-system inventory, the incident log,
audit findings and programme, AI objectives and daily model-monitoring exports. The same seed gives the
same bytes, so the demo and the tests built on it never drift.
"""
