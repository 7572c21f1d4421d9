"""Every write in the partners app, one module per kind of record."""
