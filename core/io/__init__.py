"""CSV/Excel import and export (streamed, bounded memory)."""
