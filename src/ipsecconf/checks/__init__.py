"""Checks: per-line keyword and value checks, and the rules on each resolved conn."""
