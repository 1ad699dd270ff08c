"""Settings: defaults, the instance folder's config.py, CONCORD_* environment variables, in that order."""
from __future__ import annotations

from pathlib import Path

from addin import create_app
from addin.config import SETTINGS, settings_help


def test_settings_come_from_instance_config_then_environment(tmp_path: Path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text('PUBLIC_URL = "https://concord.example.org"\nMAX_CONTENT_LENGTH = 1000\n')
    monkeypatch.setenv("CONCORD_MAX_CONTENT_LENGTH", "5M")
    monkeypatch.setenv("CONCORD_SESSION_COOKIE_SECURE", "no")
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["PUBLIC_URL"] == "https://concord.example.org"
    assert app.config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'concord.sqlite3'}"
    app.extensions["concord_store"].close()


def test_the_secret_key_is_kept_so_sessions_survive_a_restart(tmp_path: Path):
    first = create_app({"INSTANCE_PATH": str(tmp_path)})
    second = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] and len(first.config["SECRET_KEY"]) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    for app in (first, second):
        app.extensions["concord_store"].close()


def test_invitation_links_use_the_public_url(tmp_path: Path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "PUBLIC_URL": "https://concord.example.org"})
    from addin.auth import ensure_account

    ensure_account(app.extensions["concord_store"], "officer", "pw")
    client = app.test_client()
    token = client.post("/api/tokens", json={"username": "officer", "password": "pw"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    nid = client.post("/api/negotiations", json={"title": "N"}, headers=headers).get_json()["id"]
    [egypt] = client.post(f"/api/negotiations/{nid}/delegations", data=b"delegation,aliases,emails\nEgypt,,\n",
                          headers={**headers, "Content-Type": "text/csv"}).get_json()
    assert egypt["invitation_url"] == f"https://concord.example.org/invite/{egypt['token']}"
    app.extensions["concord_store"].close()


def test_every_setting_is_documented():
    table = settings_help()
    for setting in SETTINGS:
        assert f"`CONCORD_{setting.name}`" in table and setting.help
