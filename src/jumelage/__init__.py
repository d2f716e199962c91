"""Jumelage: the platform on which digital ecosystems run a partnership."""

__version__ = "0.1.0"
