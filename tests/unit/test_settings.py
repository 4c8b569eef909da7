"""DATABASE_URL and friends are read in one place and translated for eventsourcing."""

from __future__ import annotations

import pytest

from hirelog.settings import (
    DEFAULT_DATABASE_URL,
    PostgresDatabase,
    Settings,
    SettingsError,
    SQLiteDatabase,
    parse_database_url,
)
from storage.event_store import eventsourcing_env, id_key


def test_the_default_is_an_sqlite_file_under_var():
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.database == SQLiteDatabase("./var/hirelog.sqlite")


@pytest.mark.parametrize(("url", "expected"), [
    ("sqlite:///data/h.sqlite", SQLiteDatabase("data/h.sqlite")),
    ("sqlite:////srv/h.sqlite", SQLiteDatabase("/srv/h.sqlite")),
    ("sqlite:///:memory:", SQLiteDatabase(":memory:")),
    ("postgresql://app:s%40cret@db.internal:6432/hiring",
     PostgresDatabase("db.internal", 6432, "hiring", "app", "s@cret", "public")),
    ("postgres://app@db/hiring?schema=tenant_a",
     PostgresDatabase("db", 5432, "hiring", "app", "", "tenant_a")),
])
def test_database_urls(url, expected):
    assert parse_database_url(url) == expected


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://host/file", "postgresql://host",
                                 "not a url"])
def test_bad_database_urls_name_the_variable(url):
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        Settings.from_env({"DATABASE_URL": url})


def test_passwords_are_not_repeated_in_errors():
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"DATABASE_URL": "postgresql://u:hunter2@/"})
    assert "hunter2" not in str(error.value)


def test_translation_to_eventsourcing_settings():
    sqlite = eventsourcing_env(Settings("sqlite:///x.sqlite"), create_table=False)
    assert sqlite["PERSISTENCE_MODULE"] == "storage.datastores:SQLiteStore"
    assert sqlite["SQLITE_DBNAME"] == "x.sqlite" and sqlite["CREATE_TABLE"] == "n"
    pg = eventsourcing_env(Settings("postgresql://u:p@h:1/d?schema=s"), create_table=True)
    assert {k: pg[k] for k in ("PERSISTENCE_MODULE", "POSTGRES_HOST", "POSTGRES_PORT",
                               "POSTGRES_DBNAME", "POSTGRES_USER", "POSTGRES_PASSWORD",
                               "POSTGRES_SCHEMA", "CREATE_TABLE")} == {
        "PERSISTENCE_MODULE": "storage.datastores:PostgresStore", "POSTGRES_HOST": "h",
        "POSTGRES_PORT": "1", "POSTGRES_DBNAME": "d", "POSTGRES_USER": "u",
        "POSTGRES_PASSWORD": "p", "POSTGRES_SCHEMA": "s", "CREATE_TABLE": "y"}


def test_the_id_key_comes_from_the_environment_or_a_file_beside_the_sqlite_file(tmp_path):
    assert id_key(Settings(f"sqlite:///{tmp_path}/h.sqlite", id_key="given")) == b"given"
    settings = Settings(f"sqlite:///{tmp_path}/h.sqlite")
    first = id_key(settings)
    assert len(first) == 64 and id_key(settings) == first  # generated once, then kept
    assert (tmp_path / "h.sqlite.key").stat().st_mode & 0o077 == 0


def test_postgres_needs_an_explicit_id_key():
    with pytest.raises(SettingsError, match="HIRELOG_ID_KEY"):
        id_key(Settings("postgresql://u@h/d"))
