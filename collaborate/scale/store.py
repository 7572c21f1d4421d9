"""How the generator stores millions of rows quickly: with PostgreSQL's COPY, keys taken from
the tables' sequences in blocks, and the secondary indexes and foreign keys of the bulk tables
built after loading rather than kept up row by row."""

import csv
import io
import json
import multiprocessing
import os
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, reset_queries
from django.utils import timezone

from collaborate.scale.common import BATCH_SIZE


class Record:
    """A row to store, read like an unsaved model instance but without its cost (a tenth of
    it): made of field values by name, a related object or its id (`initiative` or
    `initiative_id`); a field not given reads as its default. Millions of claims, attributions
    and history entries are made this way at ten times national scale."""

    def __init__(self, model, **values):
        self.__dict__.update(values)
        self._model = model

    @property
    def pk(self):
        return self.__dict__.get(self._model._meta.pk.attname)

    @pk.setter
    def pk(self, value):
        self.__dict__[self._model._meta.pk.attname] = value

    def __getattr__(self, name):
        # Only reached for a field not given.
        try:
            found = self._model._meta.get_field(name)
        except FieldDoesNotExist:
            raise AttributeError(name) from None
        return None if found.is_relation else found.get_default()


MISSING = object()


def insert(model, objects):
    """Store model instances or Records with PostgreSQL's COPY, many times quicker than INSERT
    at millions of rows: primary keys are taken first as one block of the table's sequence (so
    that rows referring to these can be made next), then every field is written as text.
    Elsewhere, through bulk_create. Returns the objects."""
    if connection.vendor != "postgresql":
        instances = [_instance(model, o) if isinstance(o, Record) else o for o in objects]
        _bulk_create(model, instances)
        for made, instance in zip(objects, instances, strict=True):
            made.pk = instance.pk
        return objects
    _keys_assign(model, objects)
    if objects:
        fields = _stored_fields(model)
        readers = _readers(fields, isinstance(objects[0], Record))
        _copy(model, [f.column for f in fields], _Job(objects, readers))
    return objects


def insert_built(model, items, build):
    """Store the Records `build(part)` makes of each part of `items` (they take their keys from
    the table), made and written as text in parallel processes while the database takes the
    parts before: how the attributions and history of millions of claims are stored. Returns
    how many were stored."""
    if connection.vendor != "postgresql":
        return len(insert(model, build(items)))
    fields = [f for f in _stored_fields(model) if not f.primary_key]
    return _copy(model, [f.column for f in fields], _Job(items, _readers(fields, True), build))


def copy(model, columns, rows):
    """Insert rows of values for `columns` (attribute names: `organisation_id`) with COPY: for
    rows that nothing refers back to, made as lists rather than objects. Values are written as
    Python prints them, which PostgreSQL reads for the dates, times, numbers and text
    generated rows hold; through bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        return _bulk_create(model, [model(**dict(zip(columns, row, strict=True))) for row in rows])
    _copy(model, _columns(model, columns), _Job(rows))
    return rows


def copy_built(model, columns, items, build, size):
    """Insert the rows of values for `columns` that `build(part)` makes of each part of `size`
    items, made in parallel processes as insert_built's Records are: returns how many."""
    if connection.vendor != "postgresql":
        return len(copy(model, columns, build(items)))
    return _copy(model, _columns(model, columns), _Job(items, build=build, size=size))


def _columns(model, attnames):
    names = {f.attname: f.column for f in model._meta.concrete_fields}
    return [names[attname] for attname in attnames]


COPY_BATCH = BATCH_SIZE * 2
# Parts are made into text by this many processes while the database reads the ones before.
WORKERS = min(4, os.cpu_count() or 1)


@dataclass
class _Job:
    """What is written: `items`, made into objects by `build` (or themselves) a part of `size`
    at a time, each read into a row by `readers` (or already a row of values)."""

    items: list
    readers: list | None = None
    build: Callable | None = None
    size: int | None = None  # COPY_BATCH

    def __post_init__(self):
        self.size = self.size or COPY_BATCH

    def text(self, start):
        """The CSV text of the part from `start`, and how many rows it holds."""
        part = self.items[start : start + self.size]
        made = self.build(part) if self.build else part
        if self.readers is None:
            rows = ([NULL if value is None else value for value in row] for row in made)
        else:
            rows = ([read(o) for read in self.readers] for o in made)
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue(), len(made)


_job = None  # the job the worker processes make text of: theirs by fork, never pickled


def _part_text(start):
    return _job.text(start)


def _copy(model, columns, job):
    """COPY the job's parts into the model's table, in order; with several parts, the text is
    made by forked worker processes, which share the job without pickling it and never touch
    the database. Returns how many rows were written."""
    global _job
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    statement = f"COPY {table} ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')"
    starts = range(0, len(job.items), job.size)
    written = 0
    with connection.cursor() as cursor:
        if len(starts) < 2 or WORKERS < 2:
            texts = map(job.text, starts)
            pool = None
        else:
            _job = job
            pool = multiprocessing.get_context("fork").Pool(WORKERS)
            texts = pool.imap(_part_text, starts)
        try:
            for text, count in texts:
                cursor.cursor.copy_expert(statement, io.StringIO(text))
                written += count
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()
            _job = None
    return written


def _stored_fields(model):
    return [f for f in model._meta.concrete_fields if not f.generated]


def _readers(fields, record):
    now = timezone.now()
    return [_reader(f, now, record) for f in fields]


def _bulk_create(model, objects):
    """bulk_create in batches. Under DEBUG Django keeps every query's SQL: dropping it after
    each batch keeps a national run from holding every INSERT in memory."""
    for start in range(0, len(objects), BATCH_SIZE):
        model.objects.bulk_create(objects[start : start + BATCH_SIZE])
        reset_queries()
    return objects


def _instance(model, record):
    values = {k: v for k, v in record.__dict__.items() if k != "_model"}
    return model(**values)


def _keys_assign(model, objects):
    """Give the objects without a primary key the next block of the table's sequence."""
    pk = model._meta.pk
    waiting = [o for o in objects if o.pk is None]
    if not waiting or not pk.get_internal_type().endswith("AutoField"):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(seq, nextval(seq) + %s - 1) "
            "FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) AS s",
            [len(waiting), model._meta.db_table, pk.column],
        )
        last = cursor.fetchone()[0]
    for key, made in enumerate(waiting, start=last - len(waiting) + 1):
        made.pk = key


def _reader(field, now, record):
    """How the text COPY is given for `field` is read off a model instance or (`record`) a
    Record: its own value, else its related object's key, else (a Record) its default; the
    moment of storing for a timestamp left empty; NULL as \\N, JSON as JSON text, the rest as
    Python prints it (which PostgreSQL reads: dates, times, numbers, booleans). One function
    per field, chosen once: it runs for every field of millions of rows."""
    attname, name = field.attname, field.name
    if field.is_relation:

        def related_key(made):
            held = made.__dict__
            value = held.get(attname)
            if value is None:
                target = (held if record else made._state.fields_cache).get(name)
                value = None if target is None else target.pk
            return NULL if value is None else value

        return related_key
    stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    fixed = now if stamped else field.get_default()
    varies = record and field.has_default() and callable(field.default)
    text = _json_text(field.encoder) if isinstance(field, models.JSONField) else _plain

    def own(made):
        value = made.__dict__.get(attname, MISSING)
        if value is MISSING:
            value = field.get_default() if varies else fixed
        elif value is None and stamped:
            value = now
        return text(value)

    return own


NULL = "\\N"


def _json_text(encoder):
    def json_text(value):
        return NULL if value is None else json.dumps(value, cls=encoder)

    return json_text


def _plain(value):
    return NULL if value is None else value


@contextmanager
def indexes_deferred(*models_):
    """Drop the secondary indexes and foreign keys of the tables of `models_` meanwhile, and
    build them again after, each in one pass over the loaded rows: quicker than keeping them up
    row by row, and the foreign keys are checked again as they are added. The primary keys,
    unique constraints and checks stay. Inside the caller's transaction, so a failure restores
    them; the tables are locked to others until it commits."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x "
            "JOIN pg_class c ON c.oid = x.indexrelid "
            "WHERE x.indrelid = ANY(%s::regclass[]) AND NOT x.indisunique AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) "
            "ORDER BY c.relname",
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype = 'f' "
            "ORDER BY conname",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        _pending_checks_run(cursor)
        for table, name, _ in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quoted(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {_quoted(name)}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        _pending_checks_run(cursor)
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_quoted(name)} {definition}")


def _quoted(name):
    return connection.ops.quote_name(name)


def _pending_checks_run(cursor):
    """A table cannot be altered with foreign key checks still deferred on it: run them now
    (they would run at commit anyway), then defer again as the constraints ask."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
