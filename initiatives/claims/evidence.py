"""Checking evidence files by what they contain, not by what they are called."""

import csv
from pathlib import PurePosixPath

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

MAX_SIZE = 10 * 1024 * 1024
MAX_FILES = 10
# What a file's name may say it is, and the content type its bytes must then show.
ACCEPTED = {
    ".pdf": ("application/pdf", "a PDF"),
    ".png": ("image/png", "a PNG image"),
    ".jpg": ("image/jpeg", "a JPEG image"),
    ".jpeg": ("image/jpeg", "a JPEG image"),
    ".gif": ("image/gif", "a GIF image"),
    ".webp": ("image/webp", "a WebP image"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "a Word document",
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "an Excel spreadsheet",
    ),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "a PowerPoint file",
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", "an OpenDocument text"),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", "an OpenDocument spreadsheet"),
    ".csv": ("text/csv", "a CSV file"),
}
ACCEPTED_LIST = (
    "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), OpenDocument (.odt, .ods), CSV, "
    "PNG, JPEG, GIF or WebP"
)
# Office formats that can carry macros: refused whatever their content, with the way out.
MACRO_FORMATS = {
    ".doc": ("a Word 97-2003 document", ".docx"),
    ".docm": ("a macro-enabled Word document", ".docx"),
    ".xls": ("an Excel 97-2003 spreadsheet", ".xlsx"),
    ".xlsm": ("a macro-enabled Excel spreadsheet", ".xlsx"),
    ".ppt": ("a PowerPoint 97-2003 presentation", ".pptx"),
    ".pptm": ("a macro-enabled PowerPoint presentation", ".pptx"),
}


def _looks_like_csv(head):
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        # The head may end part-way through a character; anything else is not text.
        try:
            text = head[:-3].decode("utf-8-sig")
        except UnicodeDecodeError:
            return False
    if "\x00" in text:
        return False
    try:
        csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        return "\n" not in text.strip()  # a single column or a single line is still a CSV
    return True


def evidence_check(upload):
    """The checked content type of an upload, or a ValidationError saying what is wrong."""
    name = upload.name or ""
    suffix = PurePosixPath(name).suffix.lower()
    if upload.size == 0:
        raise ValidationError(f"{name} is empty")
    if upload.size > MAX_SIZE:
        raise ValidationError(f"{name} must be smaller than {filesizeformat(MAX_SIZE)}")
    if suffix in MACRO_FORMATS:
        what, instead = MACRO_FORMATS[suffix]
        raise ValidationError(
            f"{name} is {what}, which can carry macros. Save it as {instead} or PDF and upload "
            f"that: evidence must be a {ACCEPTED_LIST} file"
        )
    if suffix not in ACCEPTED:
        raise ValidationError(f"{name} must be a {ACCEPTED_LIST} file")
    expected, description = ACCEPTED[suffix]
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if suffix == ".csv":
        found = "text/csv" if _looks_like_csv(head) else None
    else:
        kind = filetype.guess(head)
        found = kind.mime if kind else None
    if found != expected:
        actual = next((d for mime, d in ACCEPTED.values() if mime == found), None)
        what = f"it is {actual}" if actual else "its content is not of that type"
        raise ValidationError(
            f"{name} is named as {description} but {what}. Upload the file itself"
        )
    return expected


def display_name(name):
    """A user's file name, safe to show and to offer as a download name."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:|?*')
    return cleaned[:150] or "evidence"
