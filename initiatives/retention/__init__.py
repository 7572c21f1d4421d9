"""Retention of the people named in claims: anonymised once the financial years they touched
have been locked long enough (the partners app does the anonymising)."""
