"""Reports: tidy results -> Markdown and self-contained HTML with seaborn figures, written atomically."""

from .document import Figure, Report, Section, verdict_frame
from .render import environment, write_index, write_report

__all__ = ["Figure", "Report", "Section", "environment", "verdict_frame", "write_index", "write_report"]
