"""The small world of the API tests, made once per test process and store, copied into each
test's empty store.

The world (two clients with a position and a candidate each, a token per role, the read
models caught up) is made by commands over HTTP, as a test would make it: ~40 ms on SQLite and
~80 ms on PostgreSQL, before each of ~600 tests. So a test process makes it once per store, in
a template store of its own, and copies the template's rows into a test's store before the
test's application opens it (SQLite: the file, by SQLite's backup; PostgreSQL: every table's
rows and every sequence's value, from the template schema): the test finds exactly what the
commands wrote (events with their seals, tokens, read models and their positions), under the
same ids and tokens in every test. The clock is FakeClock's start, as a test's clock is.
Not copied: the rate limiter's counters (a file beside an SQLite database), which start
empty, as they would for a token nobody has used yet."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from psycopg import sql

from hirelog.settings import Settings, SQLiteDatabase
from tests.apiclient import Api, World, contact, new_token, open_position
from tests.apps import app_for
from tests.databases import PG_URL, TEST_ID_KEY
from tests.fakes import FakeClock
from tests.postgres import admin_connection, tables_of
from tests.readmodels import project_all


@dataclass(frozen=True)
class WorldIds:
    """What a test needs to speak to a copied world: a token per role (World's Api
    attributes) and the ids (World's other attributes)."""

    tokens: dict[str, str]
    ids: dict[str, str]

    def world(self, client: FlaskClient) -> World:
        return World(**{role: Api(client, token) for role, token in self.tokens.items()},
                     **self.ids)


def make_world(app: Flask) -> WorldIds:
    """The world, made by commands (the recruiter's over HTTP) and projected."""
    client = app.test_client()
    recruiter_token = new_token(app, "recruiter")
    recruiter = Api(client, recruiter_token)
    client_a_id = recruiter.post("/api/v1/clients", {"name": "Acme"}).json["id"]
    client_b_id = recruiter.post("/api/v1/clients", {"name": "Globex"}).json["id"]
    position_a, position_b = open_position(recruiter, client_a_id), open_position(
        recruiter, client_b_id)
    tokens = {"admin": new_token(app, "admin"), "recruiter": recruiter_token,
              "auditor": new_token(app, "auditor"),
              "client_a": new_token(app, "client", client_a_id),
              "client_b": new_token(app, "client", client_b_id)}
    ids = WorldIds(tokens=tokens, ids={
        "client_a_id": client_a_id, "client_b_id": client_b_id, "position_a": position_a,
        "position_b": position_b, "candidate_a": contact(recruiter, position_a),
        "candidate_b": contact(recruiter, position_b)})
    project_all(app.extensions["hirelog"].recruitment)  # the read models know this world
    return ids


class Templates:
    """This process's world templates, one per store, made when first asked for."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: dict[str, tuple[Settings, WorldIds]] = {}

    def copy_into(self, settings: Settings) -> WorldIds:
        """Copy the world into the (empty, not yet opened) store of `settings`."""
        kind = "sqlite" if isinstance(settings.database, SQLiteDatabase) else "postgres"
        template, ids = self._template(kind)
        if kind == "sqlite":
            _copy_sqlite(template, settings)
        else:
            _copy_schema(template.postgres().schema, settings.postgres().schema)
        return ids

    def drop_all(self) -> None:
        for kind, (settings, _) in self.made.items():
            if kind == "postgres":
                admin_connection().execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(settings.postgres().schema)))

    def _template(self, kind: str) -> tuple[Settings, WorldIds]:
        if kind not in self.made:
            if kind == "sqlite":
                url = f"sqlite:///{self.folder}/world.sqlite"
            else:
                url = f"{PG_URL}?schema=hirelog_world_{uuid.uuid4().hex[:12]}"
            settings = Settings(database_url=url, id_key=TEST_ID_KEY)
            with app_for(settings, FakeClock()) as app:
                self.made[kind] = settings, make_world(app)
        return self.made[kind]


def _copy_sqlite(template: Settings, target: Settings) -> None:
    source, into = template.database, target.database
    assert isinstance(source, SQLiteDatabase) and isinstance(into, SQLiteDatabase)
    assert not Path(into.path).exists(), "the world is copied into a new database only"
    with closing(sqlite3.connect(source.path)) as src, closing(sqlite3.connect(into.path)) as dst:
        src.backup(dst)


_COPYING: dict[tuple[str, str], sql.Composable] = {}


def _copy_schema(template: str, target: str) -> None:
    """Every row of every table and the value of every sequence of `template` into `target`
    (which has the same tables: both were prepared by the application)."""
    conn = admin_connection()
    if (template, target) not in _COPYING:
        tables = tables_of(conn, template)
        assert tables == tables_of(conn, target), "the template and the test's schema differ"
        statements: list[sql.Composable] = []
        for table in sorted(tables):
            source, into = sql.Identifier(template, table), sql.Identifier(target, table)
            statements.append(sql.SQL("DELETE FROM {}").format(into))
            statements.append(sql.SQL("INSERT INTO {} OVERRIDING SYSTEM VALUE "
                                      "SELECT * FROM {}").format(into, source))
        for name, last in conn.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %s "
                "AND last_value IS NOT NULL", (template,)).fetchall():
            statements.append(sql.SQL("SELECT setval({}, {})").format(
                sql.Literal(f'"{target}"."{name}"'), sql.Literal(last)))
        _COPYING[template, target] = sql.SQL("; ").join(statements)
    with conn.transaction():
        conn.execute(_COPYING[template, target])


WORLD = pytest.StashKey[WorldIds]()


def copy_if_asked(request: pytest.FixtureRequest, settings: Settings) -> None:
    """For a test that asks for `world`: copy it into its store (before the store is opened),
    and remember its ids for the `world` fixture (`world_of`)."""
    if "world" in request.fixturenames:
        templates: Templates = request.getfixturevalue("world_templates")
        request.node.stash[WORLD] = templates.copy_into(settings)


def world_of(request: pytest.FixtureRequest, client: FlaskClient) -> World:
    return request.node.stash[WORLD].world(client)
