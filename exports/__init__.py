"""The quarterly pack and the dataset templates, built from `metrics/` and the dataset contracts."""

from __future__ import annotations

from .pack import SHEETS, build_pack
from .templates import template_bytes, write_templates

__all__ = ["SHEETS", "build_pack", "template_bytes", "write_templates"]
