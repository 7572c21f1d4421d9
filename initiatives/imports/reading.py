"""Reading an uploaded file into ImportRows (in progress)."""


def rows_read(spreadsheet_import, *, report):
    raise NotImplementedError
