"""The shared kit: helpers that belong to no domain, which every app may import.

`web` (pages answering htmx and forms), `edits` (lost updates), `exports` (CSV and XLSX
downloads), `mail` (sending email) and `retry` (the transient errors tasks retry). The kit imports
nothing from the apps; the apps import nothing else from the project package (`make lint`)."""
