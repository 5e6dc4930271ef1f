"""The bulletin figures file (shared/spec/indicators.md "The figures file") from the marts."""

from xinfang.figures.document import figures_for, figures_for_many, to_json

__all__ = ["figures_for", "figures_for_many", "to_json"]
