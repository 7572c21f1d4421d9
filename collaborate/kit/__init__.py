"""The shared kit: helpers that belong to no domain, which every app may import.

`web` (pages answering htmx, forms, buttons, paging), `edits` (lost updates), `filters` (the
lists' search box), `exports` (CSV and XLSX downloads), `mail` (sending email) and `retry` (the
transient errors tasks retry, and the policy every task uses). The kit imports
nothing from the apps; the apps import nothing else from the project package (`make lint`)."""
