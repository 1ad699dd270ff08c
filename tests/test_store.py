"""The store: schema on first run, SQLite settings, immutable submissions, versions, statuses, jobs."""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from addin.store import Store, submissions
from tests.test_api_support import free_port

BASE = b"PK base draft bytes"  # the store keeps bytes; it never reads them


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    if not found:
        pytest.fail("PostgreSQL is not installed: run the tests with `make test`, which installs it")
    return found[-1].parent


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL cluster on 127.0.0.1 (as the postgres user when the tests run as root,
    since PostgreSQL refuses to run as root); yields the URL of its server, stopped at the end."""
    bin_dir = _postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="concord-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", free_port()
    subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "concord"],
                   check=True, capture_output=True, timeout=120)
    server = subprocess.Popen([*as_user, str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
                               "-h", "127.0.0.1", "-k", str(folder)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"postgresql+psycopg://concord@127.0.0.1:{port}"
    engine = create_engine(url + "/postgres", isolation_level="AUTOCOMMIT")
    try:
        for _ in range(100):
            try:
                with engine.connect():
                    break
            except OperationalError:
                time.sleep(0.1)
        yield url, engine
    finally:
        engine.dispose()
        server.terminate()
        server.wait(30)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path: Path):
    """The store on a fresh SQLite file, and on a fresh PostgreSQL database: the same code."""
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path / 'concord.sqlite3'}")
    else:
        url, admin = request.getfixturevalue("postgres_url")
        name = f"concord_{uuid.uuid4().hex[:12]}"
        with admin.connect() as c:
            c.exec_driver_sql(f"CREATE DATABASE {name}")
        store = Store(f"{url}/{name}")
    yield store
    store.close()


@pytest.fixture
def rid(store: Store) -> int:
    nid = store.create_negotiation("Misuse of ICT", "E/CN.7/2027/L.5")
    store.upsert_delegation(nid, "Egypt", "Delegation of Egypt", "@mfa.gov.eg")
    store.upsert_delegation(nid, "Mexico")
    return store.add_round(nid, "base.docx", BASE)


def delegation(store: Store, rid: int, name: str) -> int:
    return store.delegation_by_name(store.round(rid).negotiation_id, name).id


def test_the_schema_is_created_on_first_run_with_wal_and_foreign_keys(tmp_path: Path):
    path = tmp_path / "new" / "concord.sqlite3"
    path.parent.mkdir()
    store = Store(f"sqlite:///{path}")
    with store.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close()
    tables = {r[0] for r in sqlite3.connect(path).execute("select name from sqlite_master where type='table'")}
    assert {"negotiations", "rounds", "delegations", "submissions", "paragraph_statuses", "status_log",
            "users", "api_tokens", "jobs"} <= tables


def test_a_submission_keeps_its_exact_bytes_and_their_sha256(store: Store, rid: int):
    data = bytes(range(256)) * 100
    sid, created = store.add_submission(rid, "egypt.docx", data, "upload", delegation_id=delegation(store, rid, "Egypt"))
    assert created
    row = store.submission(sid)
    assert row.content == data and row.sha256 == hashlib.sha256(data).hexdigest()
    # Recording the reading later never touches the bytes.
    store.set_reading(sid, kind="docx", docx=data, reading={"tracked": True}, error=None)
    assert store.submission(sid).content == data


def test_a_foreign_key_to_a_missing_round_is_refused(store: Store):
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), store.engine.begin() as c:
        c.execute(insert(submissions).values(
            round_id=999, negotiation_id=999, filename="x", kind="docx", content=b"x", sha256="0",
            channel="api", received_at=datetime.now(timezone.utc), version=1))


def test_resubmissions_are_numbered_versions_and_all_are_kept(store: Store, rid: int):
    egypt = delegation(store, rid, "Egypt")
    ids = [store.add_submission(rid, f"v{i}.docx", f"v{i}".encode(), "api", delegation_id=egypt)[0] for i in range(3)]
    assert [store.submission(i).version for i in ids] == [1, 2, 3]
    other = store.add_submission(rid, "mx.docx", b"mx", "api", delegation_id=delegation(store, rid, "Mexico"))[0]
    assert store.submission(other).version == 1
    assert [s.filename for s in store.submissions(rid, egypt)] == ["v0.docx", "v1.docx", "v2.docx"]


def test_concurrent_resubmissions_get_distinct_versions(store: Store, rid: int):
    egypt = delegation(store, rid, "Egypt")
    errors: list[Exception] = []

    def submit(i: int) -> None:
        try:
            store.add_submission(rid, f"{i}.docx", str(i).encode(), "api", delegation_id=egypt)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = store.submissions(rid, egypt)
    assert sorted(r.version for r in rows) == list(range(1, 41))
    assert sorted(r.filename for r in rows) == sorted(f"{i}.docx" for i in range(40))


def test_the_same_message_id_is_stored_once_per_negotiation(store: Store, rid: int):
    first = store.add_submission(rid, "a.eml", b"message", "email", message_id="<m1@example.org>")
    again = store.add_submission(rid, "a.eml", b"message", "email", message_id="<m1@example.org>")
    assert first[1] is True and again == (first[0], False)
    assert len(store.submissions(rid)) == 1
    # Another negotiation may receive a copy of the same message.
    nid2 = store.create_negotiation("Other")
    rid2 = store.add_round(nid2, "base.docx", BASE)
    assert store.add_submission(rid2, "a.eml", b"message", "email", message_id="<m1@example.org>")[1] is True


def test_the_merge_takes_each_delegations_latest_readable_version_in_arrival_order(store: Store, rid: int):
    egypt, mexico = delegation(store, rid, "Egypt"), delegation(store, rid, "Mexico")
    start = datetime(2027, 2, 1, 9, tzinfo=timezone.utc)

    def add(name: str, who: int | None, minutes: int, readable: bool = True) -> int:
        sid = store.add_submission(rid, name, name.encode(), "api", delegation_id=who,
                                   received_at=start + timedelta(minutes=minutes))[0]
        store.set_reading(sid, kind="docx", docx=name.encode() if readable else None, reading={},
                          error=None if readable else "damaged")
        return sid

    add("egypt-1", egypt, 0)
    add("mexico-1", mexico, 1)
    add("egypt-2", egypt, 2)
    add("unknown", None, 3)
    add("mexico-2-broken", mexico, 4, readable=False)
    assert [r.filename for r in store.latest_submissions(rid)] == ["mexico-1", "egypt-2", "unknown"]


def test_an_attribution_found_later_gives_the_next_version(store: Store, rid: int):
    egypt = delegation(store, rid, "Egypt")
    store.add_submission(rid, "first.docx", b"1", "api", delegation_id=egypt)
    sid = store.add_submission(rid, "mailed.docx", b"2", "email")[0]
    store.set_reading(sid, kind="docx", docx=b"2", reading={}, error=None, delegation_id=egypt)
    row = store.submission(sid)
    assert (row.delegation_id, row.version) == (egypt, 2)


def test_status_changes_are_logged_with_who_and_when(store: Store, rid: int):
    store.set_status(rid, "PP2", "pending", "officer1")
    store.set_status(rid, "PP2", "agreed in informals", "officer2")
    store.set_status(rid, "OP1", "agreed ad ref", "officer1")
    store.set_status(rid, "OP1", "", "officer1")
    assert store.statuses(rid) == {"PP2": "agreed in informals"}
    log = store.status_log(rid)
    assert [(e.paragraph_id, e.status, e.changed_by) for e in log] == [
        ("PP2", "pending", "officer1"), ("PP2", "agreed in informals", "officer2"),
        ("OP1", "agreed ad ref", "officer1"), ("OP1", "", "officer1")]
    assert all(e.changed_at is not None for e in log)


def test_rounds_are_numbered_per_negotiation(store: Store, rid: int):
    nid = store.round(rid).negotiation_id
    second = store.add_round(nid, "round2.docx", b"r2")
    assert [r.number for r in store.rounds(nid)] == [1, 2]
    assert store.current_round(nid).id == second


def test_merge_results_and_publication_are_kept(store: Store, rid: int):
    store.save_merge(rid, {"paragraphs": []}, b"compilation", b"tracked", [{"id": "PP1"}])
    row = store.round(rid)
    assert (row.compilation_docx, row.tracked_docx, row.published) == (b"compilation", b"tracked", False)
    store.publish(rid)
    assert store.round(rid).published is True


def test_jobs_left_running_by_a_stopped_server_are_marked_failed(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'concord.sqlite3'}"
    store = Store(url)
    nid = store.create_negotiation("N")
    rid = store.add_round(nid, "base.docx", BASE)
    job = store.create_job(rid)
    store.update_job(job, state="running", progress=40, message="reading")
    store.close()
    restarted = Store(url)
    assert restarted.fail_interrupted_jobs() == 1
    assert restarted.job(job).state == "failed" and "merge again" in restarted.job(job).error
    restarted.close()



def test_a_hostile_file_name_is_stored_as_a_plain_short_name(store: Store, rid: int):
    sid = store.add_submission(rid, "..\\..\\evil/" + "x" * 600 + "\x00\x1b.docx", b"data", "email")[0]
    name = store.submission(sid).filename
    assert len(name) == 255 and name.endswith(".docx") and "/" not in name and "\x00" not in name
