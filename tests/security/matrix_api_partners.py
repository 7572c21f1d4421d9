"""The permission matrix's rows for the API's partners endpoints (see tests/security/matrix.py: a
row is the scene's objects that fill the pattern, and the six people's answers to a GET)."""

ROWS = {}
