"""Backups an operator can trust: one archive holding the database (pg_dump's custom format) and
the media files (evidence and imports), with a manifest of what went in — when, the migrations
applied, the main tables' row counts, and every member's sha256 and size — so that a restore
checks the whole archive before it touches anything, and checks what it restored after.

`manage.py backup` and `manage.py restore` are thin commands over `backup_write` and
`restore`; what either finds wrong is a `BackupError`, a sentence for the operator."""

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import dj_database_url
import psycopg2
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from psycopg2 import sql

from initiatives.models import ClaimEvidence, Initiative, SavingsClaim
from partners.models import Organisation, User

FORMAT = 1  # of the manifest; a restore refuses formats it does not know
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
CHUNK = 1024 * 1024
COUNTED = {
    "organisations": Organisation,
    "users": User,
    "initiatives": Initiative,
    "claims": SavingsClaim,
    "evidence files": ClaimEvidence,
}
# libpq's connection keywords, and the environment variables its programs read them from: the
# password reaches pg_dump and pg_restore in PGPASSWORD, never on a command line.
LIBPQ = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
POSTGRES_ENGINES = ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2")


class BackupError(Exception):
    """Why a backup or a restore stopped, for the operator."""


# --- the database -------------------------------------------------------------------------------


def libpq_params(settings_dict):
    """A Django database's settings as libpq keywords (the empty ones left out)."""
    options = settings_dict.get("OPTIONS") or {}
    params = {
        "host": settings_dict.get("HOST"),
        "port": settings_dict.get("PORT"),
        "user": settings_dict.get("USER"),
        "password": settings_dict.get("PASSWORD"),
        "dbname": settings_dict.get("NAME"),
        **{key: options[key] for key in LIBPQ if key in options},
    }
    return {key: str(value) for key, value in params.items() if value not in (None, "")}


def target_params(database_url=None):
    """libpq keywords of the database named by `database_url`, or of the configured one."""
    settings_dict = (
        dj_database_url.parse(database_url) if database_url else connection.settings_dict
    )
    if settings_dict.get("ENGINE") not in POSTGRES_ENGINES:
        raise BackupError(
            f"Backups and restores need PostgreSQL: the database {settings_dict.get('NAME')} "
            f"is {settings_dict.get('ENGINE')}. Set DATABASE_URL to postgres://…"
        )
    return libpq_params(settings_dict)


def _connect(params):
    try:
        return psycopg2.connect(**params)
    except psycopg2.Error as error:
        raise BackupError(
            f"Cannot connect to the database {params.get('dbname')}: {error}"
        ) from None


def pg_program(name):
    """pg_dump or pg_restore: on PATH, or else the newest of Debian's /usr/lib/postgresql/*/bin."""
    if found := shutil.which(name):
        return found
    found = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if found:
        return str(found[-1])
    raise BackupError(
        f"{name} is not on PATH nor under /usr/lib/postgresql/*/bin: install the PostgreSQL "
        "client (postgresql-client) of the server's major version or newer."
    )


def _run(name, args, params):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    environment.update({LIBPQ[key]: value for key, value in params.items()})
    result = subprocess.run(  # noqa: S603 (PostgreSQL's own programs, our arguments)
        [pg_program(name), *args], env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise BackupError(f"{name} failed (exit {result.returncode}): {result.stderr.strip()}")


def _counts(cursor):
    counts = {}
    for label, model in COUNTED.items():
        table = sql.Identifier(model._meta.db_table)
        cursor.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(table))
        counts[label] = cursor.fetchone()[0]
    return counts


def _migrations(cursor):
    """The migration each app applied last."""
    cursor.execute(
        "SELECT DISTINCT ON (app) app, name FROM django_migrations "
        "ORDER BY app, applied DESC, id DESC"
    )
    return dict(cursor.fetchall())


@contextmanager
def _cursor(params):
    db = _connect(params)
    try:
        with db, db.cursor() as cursor:
            yield cursor
    finally:
        db.close()


def database_state(params):
    """The main tables' row counts and the migrations applied, of the database at `params`."""
    with _cursor(params) as cursor:
        return {"counts": _counts(cursor), "migrations": _migrations(cursor)}


def public_tables(params):
    with _cursor(params) as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        return [name for (name,) in cursor.fetchall()]


def migrations_unlike_code(migrations):
    """Apps whose last migration in a backup is not this code's: (app, backup's, code's)."""
    leaves = dict(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())
    return [
        (app, migrations.get(app), name)
        for app, name in sorted(leaves.items())
        if migrations.get(app) != name
    ]


# --- files ---------------------------------------------------------------------------------------


def _sha256_of(path):
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


class _Hashing:
    """A file read through, hashing what is read: each file is read once to archive it."""

    def __init__(self, file):
        self.file, self.digest = file, hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.digest.update(data)
        return data


def _add(tar, path, name):
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with open(path, "rb") as file:
        reader = _Hashing(file)
        tar.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": info.size}


def media_files(root):
    """Every regular file under the media root, in order; and what else is there (links…),
    left out."""
    root, files, skipped = Path(root), [], []
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory, name)
            (files if path.is_file() and not path.is_symlink() else skipped).append(path)
    return files, skipped


# --- backup --------------------------------------------------------------------------------------


@dataclass
class Written:
    path: Path
    size: int
    seconds: float
    manifest: dict
    skipped: list


def output_path(output=None):
    """`output`, or collaborate-<UTC time>.tar.gz in it if it is a directory, or by default in
    the project's backups/."""
    directory = Path(output) if output and Path(output).is_dir() else None
    if output and not directory:
        return Path(output).absolute()
    name = f"collaborate-{timezone.now():%Y%m%dT%H%M%SZ}.tar.gz"
    return Path(directory or Path(settings.BASE_DIR, "backups"), name).absolute()


def _snapshot_dump(params, dump):
    """pg_dump the database into `dump`, and read its counts and migrations in the same
    snapshot: the manifest says exactly what the dump holds, however busy the database."""
    db = _connect(params)
    try:
        db.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with db.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            state = {"counts": _counts(cursor), "migrations": _migrations(cursor)}
            options = ["--format=custom", "--no-owner", "--no-privileges"]
            _run("pg_dump", [*options, f"--snapshot={snapshot}", f"--file={dump}"], params)
    finally:
        db.close()
    return {**state, "server_version": server_version}


def backup_write(output=None):
    """Write the archive to `output` (see `output_path`), by way of a temporary file beside it:
    a backup that fails leaves no archive."""
    if connection.vendor != "postgresql":
        raise BackupError(
            f"Backups need PostgreSQL: the configured database is {connection.vendor}. "
            "Set DATABASE_URL to postgres://…"
        )
    started = time.monotonic()
    output = output_path(output)
    root = Path(settings.MEDIA_ROOT)
    if output.resolve().is_relative_to(root.resolve()):
        raise BackupError(f"{output} is inside MEDIA_ROOT ({root}): write backups elsewhere.")
    output.parent.mkdir(parents=True, exist_ok=True)
    params = libpq_params(connection.settings_dict)
    descriptor, partial = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    os.close(descriptor)  # made readable by its owner only, as the archive stays
    partial = Path(partial)
    try:
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".collaborate-dump-") as work:
            dump = Path(work, DUMP)
            state = _snapshot_dump(params, dump)
            files, skipped = media_files(root)
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "database": {
                    "name": params.get("dbname"),
                    "server_version": state.pop("server_version"),
                },
                **state,
                "files": {},
            }
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                manifest["files"][DUMP] = _add(tar, dump, DUMP)
                for path in files:
                    name = f"{MEDIA}/{path.relative_to(root).as_posix()}"
                    manifest["files"][name] = _add(tar, path, name)
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), time.time(), 0o600
                tar.addfile(info, io.BytesIO(data))
        with open(partial, "rb") as file:
            os.fsync(file.fileno())
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Written(output, output.stat().st_size, time.monotonic() - started, manifest, skipped)


# --- restore -------------------------------------------------------------------------------------


def _member_check(member, media_root):
    """Refuse a member that is not a plain file or directory, or that would land anywhere but
    database.dump, manifest.json or under the media root."""
    path = PurePosixPath(member.name)
    if not (member.isfile() or member.isdir()):
        raise BackupError(f"{member.name} is not a regular file (a link or a device): refused.")
    if (
        not path.parts
        or path.is_absolute()
        or ".." in path.parts
        or path.parts[0] not in (MANIFEST, DUMP, MEDIA)
    ):
        raise BackupError(f"{member.name} would be written outside the media root: refused.")
    if path.parts[0] == MEDIA and len(path.parts) > 1:
        try:
            tarfile.data_filter(member.replace(name=str(path.relative_to(MEDIA))), media_root)
        except tarfile.FilterError as error:
            raise BackupError(f"{member.name} is refused: {error}") from None


def _digest_of(tar, member, sink):
    """The sha256 and size of a member's bytes, read in chunks (and written to `sink`)."""
    digest, size = hashlib.sha256(), 0
    source = tar.extractfile(member)
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if sink:
            sink.write(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def archive_check(path, media_root, dump_to):
    """Read the whole archive once, checking every member's name and sha256 against the
    manifest, and copy the database dump to `dump_to` on the way. Returns the manifest."""
    found, manifest = {}, None
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                _member_check(member, str(media_root))
                if member.isdir():
                    continue
                if member.name == DUMP:
                    with open(dump_to, "wb") as sink:
                        found[DUMP] = _digest_of(tar, member, sink)
                elif member.name == MANIFEST:
                    found[MANIFEST] = _digest_of(tar, member, sink := io.BytesIO())
                    manifest = json.loads(sink.getvalue())
                else:
                    found[member.name] = _digest_of(tar, member, None)
    except (OSError, EOFError, zlib.error, tarfile.TarError, ValueError) as error:
        raise BackupError(f"{path} is damaged or not a backup: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has no {MANIFEST} this version can read: not a backup.")
    found.pop(MANIFEST)
    expected = manifest["files"]
    for name, record in expected.items():
        if name not in found:
            raise BackupError(f"The archive is damaged: {name} is missing from it.")
        if found[name] != record:
            raise BackupError(f"The archive is damaged: {name} does not match its sha256.")
    if extra := sorted(set(found) - set(expected)):
        raise BackupError(f"The archive holds {extra[0]}, which its manifest does not list.")
    if DUMP not in expected:
        raise BackupError(f"The archive holds no {DUMP}.")
    return manifest


def _media_members(tar):
    for member in tar:
        if member.isfile() and member.name.startswith(f"{MEDIA}/"):
            yield member.replace(name=member.name.removeprefix(f"{MEDIA}/"), deep=False)


def _media_conflicts(manifest, media_root):
    """Media files the archive would overwrite with other bytes."""
    return [
        name
        for name, record in manifest["files"].items()
        if name.startswith(f"{MEDIA}/")
        and (existing := Path(media_root, name.removeprefix(f"{MEDIA}/"))).exists()
        and _sha256_of(existing) != record
    ]


@dataclass
class Restored:
    manifest: dict
    state: dict  # of the restored database: counts and migrations
    media_files: int
    seconds: float
    database: str

    @property
    def counts_match(self):
        return self.state["counts"] == self.manifest["counts"]


def _database_restore(path, params, media_root, force):
    """Check the archive and the targets, then pg_restore it in one transaction: anything
    wrong up to its commit leaves the database as it was, and no media file written."""
    with tempfile.TemporaryDirectory(prefix="collaborate-restore-") as work:
        dump = Path(work, DUMP)
        manifest = archive_check(path, media_root, dump)
        if (tables := public_tables(params)) and not force:
            raise BackupError(
                f"The database {params.get('dbname')} is not empty: it has {len(tables)} tables "
                f"({', '.join(tables[:3])}…). Restore into an empty database, or pass --force "
                "to replace what the backup holds (pg_restore --clean --if-exists)."
            )
        if not force and (conflicts := _media_conflicts(manifest, media_root)):
            raise BackupError(
                f"{len(conflicts)} media files in {media_root} differ from the backup's "
                f"(first: {conflicts[0]}). Restore into an empty media root, or pass --force "
                "to overwrite them."
            )
        options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        clean = ["--clean", "--if-exists"] if force else []
        _run("pg_restore", [*options, *clean, f"--dbname={params['dbname']}", str(dump)], params)
    return manifest


def _media_restore(path, manifest, media_root):
    """Extract the media files (the data filter refusing anything that would leave the media
    root) and check each against its sha256. Returns how many."""
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "r:gz") as tar:
        tar.extractall(media_root, members=_media_members(tar), filter="data")
    media = {k: v for k, v in manifest["files"].items() if k.startswith(f"{MEDIA}/")}
    for name, record in media.items():
        if _sha256_of(Path(media_root, name.removeprefix(f"{MEDIA}/"))) != record:
            raise BackupError(f"{name} was extracted but does not match its sha256.")
    return len(media)


def restore(path, *, database_url=None, media_root=None, force=False):
    """Check the archive, then restore its database into the target (empty, unless `force`)
    and its media files into `media_root` (by default MEDIA_ROOT)."""
    started = time.monotonic()
    params = target_params(database_url)
    media_root = Path(media_root or settings.MEDIA_ROOT).absolute()
    try:
        manifest = _database_restore(path, params, media_root, force)
    except BackupError as error:
        raise BackupError(f"{error} Nothing was restored.") from None
    try:
        media = _media_restore(path, manifest, media_root)
    except (BackupError, OSError, tarfile.TarError, EOFError, zlib.error) as error:
        raise BackupError(
            f"The database {params['dbname']} was restored, but not all the media files: {error}"
        ) from None
    seconds = time.monotonic() - started
    return Restored(manifest, database_state(params), media, seconds, params["dbname"])
