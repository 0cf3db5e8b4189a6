"""The language: the keyword table and the typed value parsers."""
