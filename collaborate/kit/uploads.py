"""Request bodies bounded per route, before any of them is read into memory or onto disk.

`BoundedUploadHandler` comes first in settings.FILE_UPLOAD_HANDLERS, so it sees every multipart
request. It reads the limit from the view the URL resolved to: a view marked `@accepts(EVIDENCE)`
takes up to settings.EVIDENCE_UPLOAD_MAX_SIZE, one marked `@accepts(IMPORT)` up to
settings.IMPORT_UPLOAD_MAX_SIZE, any other view settings.UPLOAD_MAX_SIZE (form fields alone are
bounded by Django's DATA_UPLOAD_MAX_MEMORY_SIZE and DATA_UPLOAD_MAX_NUMBER_FIELDS).

- A request that declares more than its view takes: on a view that takes files, its form fields
  are still read (the CSRF token and what the user typed), but no byte of any file is kept: each
  file is given to the view as a `RefusedUpload`, which `BoundedFileField` turns into an error at
  its field. On any other view, it is a 400 at once (RequestDataTooBig, as Django answers a form
  too large), before the body is read.
- A body that turns out longer than it declared is stopped while it streams, with a 400.

The limit is chosen from the resolved view, not set in it, so CSRF protection stays with the
middleware: no view has to be csrf_exempt to change the upload handlers before its token is read.
"""

import uuid
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

# The settings that name the limits of the routes that take files.
EVIDENCE = "EVIDENCE_UPLOAD_MAX_SIZE"
IMPORT = "IMPORT_UPLOAD_MAX_SIZE"
ELSEWHERE = "UPLOAD_MAX_SIZE"


def accepts(limit_setting):
    """Mark a view as taking files: up to settings.<limit_setting> bytes in one request. Put it
    under the other decorators: functools.wraps carries the mark out to the view the URL
    resolves to."""

    def mark(view):
        view.upload_limit_setting = limit_setting
        return view

    return mark


def limit_for(request):
    """The most bytes a request to this route may send, and whether the route takes files."""
    view = getattr(getattr(request, "resolver_match", None), "func", None)
    name = getattr(view, "upload_limit_setting", None)
    return getattr(settings, name or ELSEWHERE), name is not None


def size_label(size):
    """A number of bytes as people read it: "10 MB", "64 KB", "1.5 MB"."""
    return filesizeformat(size).replace("\xa0", " ").replace(".0 ", " ")


def too_large_message(limit):
    return f"The selected files must be smaller than {size_label(limit)} in total"


class RefusedUpload(UploadedFile):
    """Stands in for a file of a request that was too large: its name, none of its bytes."""

    def __init__(self, name, content_type, limit):
        super().__init__(file=None, name=name, content_type=content_type, size=0)
        self.limit = limit

    def open(self, mode=None):
        raise ValueError("A refused upload has no content.")

    def close(self):
        pass


class BoundedUploadHandler(FileUploadHandler):
    limit = 0
    refused = False
    received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Called before the parser reads anything: the declared length decides.
        self.limit, self.takes_files = limit_for(self.request)
        if content_length > self.limit:
            if not self.takes_files:
                raise RequestDataTooBig(
                    f"The request body ({content_length} bytes) is larger than "
                    f"{self.limit} bytes, the most this route takes."
                )
            self.refused = True
        return None  # the form fields are parsed as usual

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.refused:
            # No later handler opens a file for it: its bytes go nowhere.
            raise StopFutureHandlers

    def receive_data_chunk(self, raw_data, start):
        if self.refused:
            return None
        self.received += len(raw_data)
        if self.received > self.limit:
            raise RequestDataTooBig(
                f"The files sent are larger than {self.limit} bytes, the most this route takes."
            )
        return raw_data

    def file_complete(self, file_size):
        if self.refused:
            return RefusedUpload(self.file_name, self.content_type, self.limit)
        return None


class BoundedFileField(forms.FileField):
    """A file field that says so, at the field, when the request carrying the file was larger
    than its route takes (see BoundedUploadHandler)."""

    def to_python(self, data):
        if isinstance(data, RefusedUpload):
            raise ValidationError(too_large_message(data.limit), code="too_large")
        return super().to_python(data)


def stored_name(folder, filename):
    """Where an uploaded file is kept: `folder`, the month, and a random name with the file's
    suffix, so that what a user called the file never becomes a path (a FileField's
    upload_to calls this through a function of its model's module)."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def delete_on_commit(file):
    """Delete a stored file once the transaction that stops pointing at it commits: a rollback
    keeps the row, so it must keep the file the row points to."""
    storage, name = file.storage, file.name
    transaction.on_commit(lambda: storage.delete(name))
