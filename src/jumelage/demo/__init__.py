"""The shipped demo data (see ATTRIBUTION.md) and its loader."""
