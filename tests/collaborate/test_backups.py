"""A backup an operator can trust: `manage.py backup` writes the database and the evidence files
into one archive; `manage.py restore` puts them into a new, empty database and media root, where
`check_data` passes, the reconcile rewrites no row and every evidence file reads back as it was.
A damaged or doctored archive is refused before anything is written, and a database that is
not empty is not restored over without --force.

Real PostgreSQL throughout: pg_dump reads committed data from its own connection (hence
`transaction=True`), and each test restores into a database of its own, dropped after it."""

import hashlib
import io
import json
import os
import tarfile
import uuid
from types import SimpleNamespace

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from initiatives.claims import services as claims
from initiatives.models import ClaimEvidence
from initiatives.progress import reconcile
from tests import factories, services
from tests.subprocesses import run_python

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Run against the restored database: the reconcile inside a transaction whose statistics say how
# many rows it inserted, updated or deleted in the stored computed tables; how many rows those
# tables hold; and each evidence file read through the product's storage.
RESTORED_STATE = """
import hashlib, json, django
django.setup()
from django.db import connection, transaction
from initiatives.models import ClaimEvidence
from initiatives.progress import reconcile, sql

tables = [sql.TABLES[table] for table in sql.COMPUTED]
with transaction.atomic(), connection.cursor() as cursor:
    initiatives = reconcile.progress_reconcile()
    cursor.execute(
        "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
        "WHERE relname = ANY(%s)",
        [tables],
    )
    written = dict(cursor.fetchall())
    rows = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        rows[table] = cursor.fetchone()[0]
evidence = {}
for item in ClaimEvidence.objects.all():
    with item.file.open("rb") as file:
        evidence[item.file.name] = hashlib.sha256(file.read()).hexdigest()
state = {"initiatives": initiatives, "written": written, "rows": rows, "evidence": evidence}
print(json.dumps(state))
"""


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def connect(name):
    settings_dict = connection.settings_dict
    return psycopg2.connect(
        dbname=name,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
    )


def tables_in(name):
    db = connect(name)
    try:
        with db.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            return cursor.fetchall()
    finally:
        db.close()


@pytest.fixture
def empty_database():
    """A new PostgreSQL database with nothing in it, dropped after the test."""
    services.need_postgres()
    name = f"restored_{uuid.uuid4().hex[:12]}"
    settings_dict = connection.settings_dict
    admin = connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    credentials = settings_dict["USER"] + (
        f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    )
    address = f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
    try:
        yield SimpleNamespace(name=name, url=f"postgres://{credentials}@{address}/{name}")
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def scene(settings, tmp_path, celery_queue, initiative, officer, manager, partner_officer):
    """Leeds and Bradford's shared service with a verified claim of Leeds (two evidence files)
    and a draft of Bradford's (one), another initiative with a target, and every progress
    figure computed. Returns each evidence file's sha256 by its stored name."""
    services.need_postgres()
    settings.MEDIA_ROOT = tmp_path / "media"
    verified = factories.make_claim(
        officer,
        initiative,
        initiative.lead,
        evidence_files=[
            SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n% the invoice\n" + os.urandom(2000)),
            SimpleUploadedFile("savings.csv", b"month,saving\n2025-04,1000\n2025-05,1200\n"),
        ],
    )
    claims.claim_submit(actor=officer, claim=verified)
    claims.claim_decide(actor=manager, claim=verified, decision="verify")
    partner = initiative.partnerships.exclude(organisation=initiative.lead).get().organisation
    factories.make_claim(
        partner_officer,
        initiative,
        partner,
        evidence_files=[SimpleUploadedFile("quote.pdf", b"%PDF-1.4\n% a quote\n")],
    )
    # Through the service, so that its reference comes from the sequences check_data compares.
    other = factories.make_initiative(officer, initiative.lead, title="Joint highways depot")
    factories.SavingsTargetFactory(initiative=other, financial_year=2025, amount=20000)
    reconcile.progress_reconcile()
    stored = {item.file.name: sha256(item.file.read()) for item in ClaimEvidence.objects.all()}
    assert len(stored) == 3
    return stored


@pytest.fixture
def archive(scene, tmp_path):
    path = tmp_path / "backups" / "collaborate.tar.gz"
    output = io.StringIO()
    call_command("backup", output=str(path), stdout=output)
    assert f"Wrote {path}" in output.getvalue()
    assert "evidence files: 3" in output.getvalue()
    return path


def restore(archive, database, media_root, **options):
    """`manage.py restore` of `archive` into `database` and `media_root`; what it printed."""
    output = io.StringIO()
    call_command(
        "restore",
        str(archive),
        database_url=database.url,
        media_root=str(media_root),
        stdout=output,
        **options,
    )
    return output.getvalue()


def restored_environment(database, media_root):
    return {
        "DATABASE_URL": database.url,
        "MEDIA_ROOT": str(media_root),
        "SECRET_KEY": os.environ["SECRET_KEY"],
    }


def test_a_backup_restores_into_a_new_database_whole_and_consistent(
    scene, archive, empty_database, tmp_path
):
    assert [path.name for path in archive.parent.iterdir()] == [archive.name]  # no leftovers
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["counts"] == {
        "organisations": 2,
        "users": 3,
        "initiatives": 2,
        "claims": 2,
        "evidence files": 3,
    }
    assert set(manifest["files"]) == {"database.dump"} | {f"media/{name}" for name in scene}
    assert manifest["migrations"]["initiatives"].startswith("00")

    media_root = tmp_path / "restored-media"
    printed = restore(archive, empty_database, media_root)
    assert "Counts match" in printed
    assert "check_data" in printed

    environment = restored_environment(empty_database, media_root)
    checked = run_python(["manage.py", "check_data"], **environment)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "OK: all" in checked.stdout

    ran = run_python(["-c", RESTORED_STATE], **environment)
    assert ran.returncode == 0, ran.stderr
    state = json.loads(ran.stdout.strip().splitlines()[-1])
    assert state["initiatives"] == 2
    assert len(state["written"]) == 4 and all(rows > 0 for rows in state["rows"].values())
    assert state["written"] == dict.fromkeys(state["written"], 0), "the reconcile rewrote rows"
    assert state["evidence"] == scene
    for name, digest in scene.items():
        assert sha256((media_root / name).read_bytes()) == digest


def test_a_database_that_is_not_empty_is_restored_over_only_with_force(
    archive, empty_database, tmp_path
):
    media_root = tmp_path / "restored-media"
    restore(archive, empty_database, media_root)
    with pytest.raises(CommandError, match=r"is not empty.*--force.*Nothing was restored"):
        restore(archive, empty_database, media_root)
    assert "Counts match" in restore(archive, empty_database, media_root, force=True)


def _flip_a_byte_of_the_dump(members):
    for member, data in members:
        if member.name == "database.dump":
            middle = len(data) // 2
            data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
        yield member, data


def _remove_an_evidence_file(members):
    removed = False
    for member, data in members:
        if member.name.startswith("media/") and member.isfile() and not removed:
            removed = True
            continue
        yield member, data


def _listed(members, extra, data):
    """`members` with `extra` added before the manifest, which lists it with its true sha256."""
    for member, content in members:
        if member.name == "manifest.json":
            yield extra, data
            manifest = json.loads(content)
            manifest["files"][extra.name] = {"sha256": sha256(data or b""), "size": extra.size}
            content = json.dumps(manifest).encode()
            member.size = len(content)
        yield member, content


def _add_a_member_escaping_the_media_root(members):
    escaping = tarfile.TarInfo("media/../outside.txt")
    escaping.size = 6
    return _listed(members, escaping, b"owned\n")


def _add_a_link(members):
    link = tarfile.TarInfo("media/evidence/passwd")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    return _listed(members, link, None)


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (_flip_a_byte_of_the_dump, "database.dump does not match its sha256"),
        (_remove_an_evidence_file, "media/evidence/"),
        (_add_a_member_escaping_the_media_root, "media/../outside.txt"),
        (_add_a_link, "media/evidence/passwd is not a regular file"),
    ],
)
def test_a_damaged_archive_is_refused_before_anything_is_written(
    archive, empty_database, tmp_path, damage, named
):
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        members = [(m, source.extractfile(m).read() if m.isfile() else None) for m in source]
        for member, data in damage(members):
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    media_root = tmp_path / "restored-media"

    with pytest.raises(CommandError) as refused:
        restore(damaged, empty_database, media_root)

    assert named in str(refused.value)
    assert "Nothing was restored" in str(refused.value)
    assert tables_in(empty_database.name) == []
    assert not media_root.exists()
    assert not (tmp_path / "outside.txt").exists()


def test_only_postgresql_is_backed_up_or_restored_into(tmp_path):
    with pytest.raises(CommandError, match="need PostgreSQL"):
        call_command(
            "restore",
            str(tmp_path / "any.tar.gz"),
            database_url=f"sqlite:///{tmp_path / 'other.sqlite3'}",
        )
    ran = run_python(
        ["manage.py", "backup", "--output", str(tmp_path / "sqlite.tar.gz")],
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SECRET_KEY=os.environ["SECRET_KEY"],
    )
    assert ran.returncode != 0
    assert "Backups need PostgreSQL" in ran.stderr
    assert not list(tmp_path.glob("*sqlite.tar.gz*"))
