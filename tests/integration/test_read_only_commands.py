"""Commands that only read never create a store (issue 12 §5): a mistyped DATABASE_URL is a
one-line error naming what is missing, and nothing appears (no file, no key file, no folder,
no PostgreSQL schema); on an existing store they read as before."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from cli.main import main
from hirelog.settings import Settings
from storage.event_store import open_recruitment
from tests.databases import PG_URL, TEST_ID_KEY, require_postgres

READ_ONLY = [["summary"], ["audit", "verify"], ["audit", "export", "--out", "-"],
             ["projections", "status"], ["token", "list"], ["replay", "--verify"]]
IDS = [" ".join(command[:2]) for command in READ_ONLY]


def run(command: list[str], url: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, command, env={"DATABASE_URL": url,
                                                    "HIRELOG_ID_KEY": TEST_ID_KEY})
    return result.exit_code, result.output


@pytest.mark.parametrize("command", READ_ONLY, ids=IDS)
def test_a_missing_sqlite_file_is_an_error_and_nothing_is_created(
        command: list[str], tmp_path: Path) -> None:
    folder = tmp_path / "mistyped"
    code, output = run(command, f"sqlite:///{folder}/hirelog.sqlite")
    assert code == 1
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: no database file at "), output
    assert f"{folder}/hirelog.sqlite" in lines[0]
    assert not folder.exists()


@pytest.mark.parametrize("command", READ_ONLY, ids=IDS)
def test_an_existing_sqlite_store_is_read(command: list[str], tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/hirelog.sqlite",
                        id_key=TEST_ID_KEY)
    open_recruitment(settings).close()
    code, output = run(command, settings.database_url)
    assert code == 0, output


@pytest.mark.postgres
def test_a_missing_postgres_schema_is_an_error_and_nothing_is_created() -> None:
    require_postgres()
    schema = "hirelog_mistyped_schema"
    dbname = Settings(database_url=PG_URL).postgres().dbname
    for command in READ_ONLY:
        code, output = run(command, f"{PG_URL}?schema={schema}")
        assert code == 1, output
        assert output.strip().splitlines() == [
            f"Error: no hirelog tables in schema {schema} of database {dbname} (DATABASE_URL): "
            "this command only reads, and creates nothing; check the URL"], output
    conninfo = Settings(database_url=PG_URL).postgres().conninfo()
    with psycopg.connect(conninfo) as conn:
        found = conn.execute("SELECT count(*) FROM information_schema.schemata "
                             "WHERE schema_name = %s", (schema,)).fetchone()
    assert found == (0,)
