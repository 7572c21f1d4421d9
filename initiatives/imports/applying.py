"""Applying ImportRows through the services (in progress)."""


def rows_apply(spreadsheet_import, *, dry_run, report):
    raise NotImplementedError


def counts_of(spreadsheet_import):
    raise NotImplementedError
