"""The x509-limbo runner (a package so its conftest does not shadow tests/conftest.py)."""
