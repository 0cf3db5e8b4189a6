"""End-to-end tests: two hosts in network namespaces, a private charon each (see harness.py)."""
