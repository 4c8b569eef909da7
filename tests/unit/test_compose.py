"""docker-compose.yml, Dockerfile, .dockerignore and .env.example.

No Docker engine runs these tests, so they check what can be checked without one: the files
parse; every service hirelog runs is built from this repository's Dockerfile and runs a real
command of this project (the `hirelog` CLI parsed by click, gunicorn's options parsed by
gunicorn); every variable a hirelog process gets is one hirelog/settings.py reads (or one
gunicorn/python read, allowed below); the stack's wiring (DATABASE_URL to the postgres service,
KAFKA_BOOTSTRAP_SERVERS to the kafka service's advertised listener) holds with the values of
.env.example, which documents every variable the compose file interpolates.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import shlex
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from gunicorn.config import Config as GunicornConfig

from cli.main import main
from hirelog.settings import PostgresDatabase, Settings, parse_database_url
from storage.event_store import id_key

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"

INFRASTRUCTURE = ("postgres", "kafka")
# service -> the command it must run (argv after the program name; None: the API, gunicorn)
APP_SERVICES: dict[str, list[str] | None] = {
    "migrate": ["init"], "api": None, "projector": ["project"], "publisher": ["publish"]}
APP_TARGET = "api:create_app()"
API_PORT = 8000
# Variables a hirelog container may get besides the ones hirelog/settings.py reads: each is
# read by gunicorn or python themselves, never by hirelog or the eventsourcing library.
ALLOWED_EXTRA = {
    "WEB_CONCURRENCY": "gunicorn's default number of workers",
    "GUNICORN_CMD_ARGS": "extra gunicorn options",
    "PYTHONUNBUFFERED": "python: unbuffered stdout/stderr (logs appear at once)",
    "PYTHONDONTWRITEBYTECODE": "python: no .pyc files",
}
# Secrets: .env.example holds placeholders only, and the compose file gives them no default.
SECRETS = ("POSTGRES_PASSWORD", "HIRELOG_ID_KEY")
OPTIONAL_SECRETS = ("HIRELOG_BOOTSTRAP_ADMIN_TOKEN",)  # empty in the example: no admin backdoor
REQUIRED_SECRETS = ("POSTGRES_PASSWORD", "HIRELOG_ID_KEY")


# --- what hirelog reads ---------------------------------------------------------------------

@cache
def settings_variables() -> frozenset[str]:
    """Every variable Settings.from_env reads, found in the source of hirelog/settings.py:
    `env.get("NAME")`, and helpers called as `helper(env, "NAME", ...)`."""
    import hirelog.settings

    tree = ast.parse(Path(hirelog.settings.__file__).read_text())
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func, args = node.func, node.args
        if (isinstance(func, ast.Attribute) and func.attr == "get"
                and isinstance(func.value, ast.Name) and func.value.id == "env"):
            candidates = args[:1]
        elif any(isinstance(arg, ast.Name) and arg.id == "env" for arg in args):
            candidates = args
        else:
            continue
        names |= {arg.value for arg in candidates if isinstance(arg, ast.Constant)
                  and isinstance(arg.value, str) and re.fullmatch(r"[A-Z][A-Z0-9_]*", arg.value)}
    return frozenset(names)


def test_the_settings_scan_finds_what_settings_reads():
    names = settings_variables()
    assert {"DATABASE_URL", "HIRELOG_ID_KEY", "KAFKA_BOOTSTRAP_SERVERS"} <= names
    # Every name found really changes Settings.from_env (so the scan reads the right calls).
    values = {"DATABASE_URL": "sqlite:///x/y.sqlite", "HIRELOG_READ_WAIT_SECONDS": "7",
              "HIRELOG_KAFKA_PARTITIONS": "5", "HIRELOG_KAFKA_REPLICATION_FACTOR": "3",
              "HIRELOG_KAFKA_SEND_TIMEOUT": "4",
              "HIRELOG_BOOTSTRAP_ADMIN_TOKEN": "a-random-secret-of-16+",
              "HIRELOG_DB_LOCK_TIMEOUT": "3", "HIRELOG_DB_CONNECT_TIMEOUT": "4",
              "HIRELOG_RATE_LIMIT": "5/second", "HIRELOG_LOG_FORMAT": "json",
              "HIRELOG_LOG_LEVEL": "DEBUG", "HIRELOG_METRICS_TOKEN": "a-random-metrics-token"}
    default = Settings.from_env({})
    for name in names:
        assert Settings.from_env({name: values.get(name, "zz")}) != default, name


# --- compose interpolation (${VAR}, ${VAR:-default}, ${VAR:?error}, $$) ----------------------

INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))")


class MissingVariable(LookupError):
    pass


def interpolate(text: str, env: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["named"]
        op, arg = match["op"], interpolate(match["arg"] or "", env)
        value = env.get(name)
        present = bool(value) if op and op.startswith(":") else value is not None
        if op in ("-", ":-"):
            return value if present else arg  # type: ignore[return-value]
        if op in ("?", ":?"):
            if not present:
                raise MissingVariable(f"{name}: {arg}")
            return value  # type: ignore[return-value]
        if op in ("+", ":+"):
            return arg if present else ""
        return value or ""

    if "${" in INTERPOLATION.sub("", text):
        raise ValueError(f"malformed interpolation in {text!r}")
    return INTERPOLATION.sub(substitute, text)


def interpolated_names(text: str) -> set[str]:
    names = set()
    for match in INTERPOLATION.finditer(text):
        if not match["escaped"]:
            names.add(match["braced"] or match["named"])
            names |= interpolated_names(match["arg"] or "")
    return names


def walk_strings(data: Any, fn: Any) -> Any:
    if isinstance(data, dict):
        return {key: walk_strings(value, fn) for key, value in data.items()}
    if isinstance(data, list):
        return [walk_strings(value, fn) for value in data]
    return fn(data) if isinstance(data, str) else data


def all_strings(data: Any) -> list[str]:
    found: list[str] = []
    walk_strings(data, lambda text: found.append(text))
    return found


@cache
def raw_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    """The compose file as `docker compose` sees it, with .env.example as its .env."""
    env = env_example() if env is None else env
    return walk_strings(raw_compose(), lambda text: interpolate(text, env))


@cache
def env_example() -> dict[str, str]:
    return {name: value for name, value, _ in env_example_lines()}


def env_example_lines() -> list[tuple[str, str, list[str]]]:
    """(name, value, the comment lines just above it)."""
    lines, comments = [], []
    for line in ENV_EXAMPLE.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            comments.append(stripped)
        elif not stripped:
            comments = []
        else:
            name, sep, value = stripped.partition("=")
            assert sep and re.fullmatch(r"[A-Z][A-Z0-9_]*", name), f".env.example: {line!r}"
            lines.append((name, value, comments))
            comments = []
    return lines


def services(env: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    return compose(env)["services"]


def environment_of(service: dict[str, Any]) -> dict[str, str | None]:
    """A service's `environment:`, mapping or list form (None: passed through from the shell)."""
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        pairs = [item.partition("=") for item in environment]
        return {name: value if sep else None for name, sep, value in pairs}
    return {name: None if value is None else str(value) for name, value in environment.items()}


# --- Dockerfile ------------------------------------------------------------------------------

@cache
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if current and line.lstrip().startswith("#"):
            continue  # a comment inside a continued instruction
        current += line.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        keyword, _, arguments = current.strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        current = ""
    return instructions


def final_stage() -> list[tuple[str, str]]:
    starts = [i for i, (keyword, _) in enumerate(dockerfile()) if keyword == "FROM"]
    return dockerfile()[starts[-1]:]


def exec_or_shell(arguments: str) -> list[str]:
    if arguments.startswith("["):
        return json.loads(arguments)
    return ["/bin/sh", "-c", arguments]


def dockerfile_env() -> dict[str, str]:
    env = {}
    for keyword, arguments in final_stage():
        if keyword != "ENV":
            continue
        words = shlex.split(arguments)
        if "=" not in words[0]:  # legacy form: ENV NAME value
            env[words[0]] = " ".join(words[1:])
        else:
            env.update(word.split("=", 1) for word in words)  # type: ignore[arg-type]
    return env


def image_argv(keyword: str) -> list[str]:
    found = [arguments for kw, arguments in final_stage() if kw == keyword]
    return exec_or_shell(found[-1]) if found else []


def image_healthcheck() -> list[str]:
    """The argv of the image's HEALTHCHECK (after its --options and CMD)."""
    found = [arguments for keyword, arguments in final_stage() if keyword == "HEALTHCHECK"]
    assert found, "the image has a HEALTHCHECK"
    match = re.fullmatch(r"((?:--[a-z-]+=\S+\s+)*)CMD\s+(.+)", found[-1], re.DOTALL)
    assert match, f"HEALTHCHECK {found[-1]!r}"
    return exec_or_shell(match[2].strip())


def effective_argv(service: dict[str, Any]) -> list[str]:
    """What the container runs: ENTRYPOINT + (the service's command, else the image's CMD),
    with a `sh -c "exec ..."` wrapper unwrapped and its ${VAR:-default} expanded."""
    entrypoint = service.get("entrypoint")
    entrypoint = shlex.split(entrypoint) if isinstance(entrypoint, str) else entrypoint
    if entrypoint is None:
        entrypoint = image_argv("ENTRYPOINT")
    command = service.get("command")
    command = shlex.split(command) if isinstance(command, str) else command
    if command is None:
        command = image_argv("CMD")
    argv = [*entrypoint, *command]
    if argv[:2] in (["sh", "-c"], ["/bin/sh", "-c"]):
        env = {**dockerfile_env(), **{k: v for k, v in environment_of(service).items() if v}}
        argv = shlex.split(interpolate(argv[2], env))
        if argv[:1] == ["exec"]:
            argv = argv[1:]
    return argv


# --- the commands ----------------------------------------------------------------------------

def hirelog_command(args: list[str]) -> list[str]:
    """Resolve `hirelog <args>` in cli.main.main and parse its options as click would (without
    running it); the command path, e.g. ['projections', 'status']."""
    ctx = main.make_context("hirelog", [], resilient_parsing=True)
    command: click.Command = main
    rest, path = list(args), []
    while isinstance(command, click.Group):
        assert rest and not rest[0].startswith("-"), f"hirelog {' '.join(args)}: no command"
        name = rest.pop(0)
        sub = command.get_command(ctx, name)
        assert sub is not None, f"hirelog {' '.join([*path, name])}: no such command"
        path.append(name)
        if isinstance(sub, click.Group):
            ctx = sub.make_context(name, [], parent=ctx, resilient_parsing=True)
        command = sub
    try:
        command.make_context(path[-1], rest, parent=ctx)
    except click.ClickException as error:
        pytest.fail(f"hirelog {' '.join(args)}: {error.format_message()}")
    return path


def gunicorn_options(argv: list[str], environment: dict[str, str | None]) -> Any:
    """gunicorn's own parser on the command line; the app target is hirelog's create_app."""
    try:
        options = GunicornConfig().parser().parse_args(argv[1:])
    except SystemExit:
        pytest.fail(f"gunicorn does not accept: {shlex.join(argv)}")
    assert options.args == [APP_TARGET], f"gunicorn must serve {APP_TARGET!r}: {argv}"
    extra = shlex.split(environment.get("GUNICORN_CMD_ARGS") or "")
    assert not options.preload_app and "--preload" not in extra, (
        "no --preload: each worker must build its application after the fork")
    module, _, call = APP_TARGET.partition(":")
    expression = ast.parse(call, mode="eval").body
    assert isinstance(expression, ast.Call) and isinstance(expression.func, ast.Name)
    assert not expression.args and not expression.keywords
    factory = getattr(importlib.import_module(module), expression.func.id)
    assert callable(factory)
    inspect.signature(factory).bind()  # callable with no arguments, as gunicorn calls it
    return options


def test_the_hirelog_command_is_api_cli_main():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["hirelog"] == "cli.main:main"


def test_the_command_check_refuses_what_is_not_a_command():
    assert hirelog_command(["projections", "status"]) == ["projections", "status"]
    with pytest.raises(AssertionError, match="no such command"):
        hirelog_command(["migrate"])
    with pytest.raises(pytest.fail.Exception, match="No such option"):
        hirelog_command(["project", "--bogus"])
    with pytest.raises(pytest.fail.Exception):
        hirelog_command(["project", "--batch-size", "many"])
    with pytest.raises(pytest.fail.Exception):
        gunicorn_options(["gunicorn", "--no-such-option", APP_TARGET], {})
    with pytest.raises(AssertionError, match="preload"):
        gunicorn_options(["gunicorn", "--preload", APP_TARGET], {})


# --- the compose file ------------------------------------------------------------------------

def test_the_compose_file_has_the_whole_stack():
    assert isinstance(raw_compose(), dict)
    assert set(INFRASTRUCTURE) | set(APP_SERVICES) <= set(services())


def test_kafka_and_postgres_come_from_their_official_images():
    stack = services()
    assert stack["postgres"]["image"].split(":")[0] in ("postgres", "docker.io/library/postgres")
    assert stack["kafka"]["image"].split(":")[0] in ("apache/kafka", "docker.io/apache/kafka")
    for name in INFRASTRUCTURE:
        tag = stack[name]["image"].partition(":")[2]
        assert tag and tag != "latest", f"{name}: pin the image version"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_hirelog_service_is_built_from_this_repositorys_dockerfile(name):
    build = services()[name].get("build")
    assert build is not None, f"{name}: build: . (the one Dockerfile)"
    build = {"context": build} if isinstance(build, str) else build
    assert (ROOT / build.get("context", ".")).resolve() == ROOT
    assert (ROOT / build.get("dockerfile", "Dockerfile")).resolve() == DOCKERFILE


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_hirelog_service_runs_a_real_command_of_this_project(name):
    service = services()[name]
    argv = effective_argv(service)
    expected = APP_SERVICES[name]
    if expected is None:
        assert argv[0] == "gunicorn", f"{name}: {argv}"
        options = gunicorn_options(argv, environment_of(service))
        assert f"0.0.0.0:{API_PORT}" in (options.bind or []), f"{name}: bind 0.0.0.0:{API_PORT}"
    else:
        assert argv[0] == "hirelog", f"{name}: {argv}"
        assert hirelog_command(argv[1:]) == expected


def test_the_images_default_command_serves_the_api_with_gunicorn():
    argv = effective_argv({})
    assert argv[0] == "gunicorn"
    gunicorn_options(argv, dockerfile_env())
    assert "gunicorn" in shlex.join(image_argv("CMD"))


@pytest.mark.parametrize("name", APP_SERVICES)
def test_hirelog_services_get_only_variables_hirelog_or_gunicorn_read(name):
    service = raw_compose()["services"][name]
    assert "env_file" not in service, (
        f"{name}: no env_file: it would hand compose-only variables (POSTGRES_PASSWORD...) to "
        "hirelog, whose eventsourcing library also reads the process environment")
    unknown = set(environment_of(service)) - settings_variables() - set(ALLOWED_EXTRA)
    assert not unknown, f"{name} sets variables nothing reads: {sorted(unknown)}"


def test_the_image_sets_only_variables_hirelog_or_python_read():
    unknown = set(dockerfile_env()) - settings_variables() - set(ALLOWED_EXTRA)
    assert not unknown, sorted(unknown)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_hirelog_service_has_settings_hirelog_accepts(name):
    service = services()[name]
    environment = {**dockerfile_env(),
                   **{k: v for k, v in environment_of(service).items() if v is not None}}
    settings = Settings.from_env(environment)  # raises SettingsError on a bad value
    assert isinstance(settings.database, PostgresDatabase), f"{name}: PostgreSQL"
    argv = effective_argv(service)
    if argv[1:2] != ["init"]:  # everything but `hirelog init` opens the application
        assert id_key(settings), f"{name}: HIRELOG_ID_KEY"
    if argv[1:2] in (["publish"], ["consume"]):
        assert settings.kafka_bootstrap_servers, f"{name}: KAFKA_BOOTSTRAP_SERVERS"
    if "WEB_CONCURRENCY" in environment:
        assert int(environment["WEB_CONCURRENCY"]) >= 1


def test_database_url_points_at_the_postgres_service():
    stack = services()
    postgres = environment_of(stack["postgres"])
    assert "PGPORT" not in postgres
    urls = {name: environment_of(stack[name]).get("DATABASE_URL") for name in APP_SERVICES}
    for name, url in urls.items():
        assert url, f"{name}: DATABASE_URL"
        database = parse_database_url(url)
        assert database == PostgresDatabase(
            host="postgres", port=5432, dbname=postgres["POSTGRES_DB"],
            user=postgres["POSTGRES_USER"], password=postgres["POSTGRES_PASSWORD"]), name


def test_kafka_bootstrap_servers_point_at_the_kafka_service():
    stack = services()
    advertised = environment_of(stack["kafka"])["KAFKA_ADVERTISED_LISTENERS"] or ""
    listeners = {listener.split("://", 1)[1] for listener in advertised.split(",")}
    users = [name for name in APP_SERVICES
             if environment_of(stack[name]).get("KAFKA_BOOTSTRAP_SERVERS")]
    assert "publisher" in users
    for name in users:
        servers = environment_of(stack[name])["KAFKA_BOOTSTRAP_SERVERS"].split(",")  # type: ignore[union-attr]
        for server in servers:
            assert server in listeners, f"{name}: {server} is not advertised by kafka"
            assert server.split(":")[0] == "kafka"


def test_kafka_runs_in_kraft_mode_on_a_single_node():
    stack = services()
    assert not [name for name, service in stack.items()
                if "zookeeper" in name or "zookeeper" in str(service.get("image", ""))]
    kafka = environment_of(stack["kafka"])
    assert not [name for name in kafka if "ZOOKEEPER" in name]
    assert set((kafka["KAFKA_PROCESS_ROLES"] or "").split(",")) == {"broker", "controller"}
    node = kafka["KAFKA_NODE_ID"]
    controller = next(listener for listener in (kafka["KAFKA_LISTENERS"] or "").split(",")
                      if listener.startswith(f"{kafka['KAFKA_CONTROLLER_LISTENER_NAMES']}://"))
    assert kafka["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{node}@kafka:{controller.rsplit(':', 1)[1]}"
    assert kafka["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"
    for name in ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
                 "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"):
        assert kafka[name] == "1", name
    assert kafka.get("CLUSTER_ID"), "a fixed cluster id: the data volume is formatted once"


def test_postgres_kafka_and_the_api_have_health_checks():
    stack = services()
    def check(name: str) -> str:
        healthcheck = stack[name].get("healthcheck") or {}
        assert not healthcheck.get("disable") and healthcheck.get("test"), name
        test = healthcheck["test"]
        return test if isinstance(test, str) else shlex.join(test)
    assert "pg_isready" in check("postgres")
    kafka = check("kafka")
    assert "/opt/kafka/bin/kafka-broker-api-versions.sh" in kafka or "kafka-topics.sh" in kafka
    assert f"127.0.0.1:{API_PORT}/readyz" in check("api")
    # The image's own check is HTTP /healthz: off for the processes that serve no HTTP.
    assert f"127.0.0.1:{API_PORT}/healthz" in shlex.join(image_healthcheck())
    for name in APP_SERVICES:
        if name != "api":
            assert (stack[name].get("healthcheck") or {}).get("disable") is True, name


def test_services_start_in_order_once_what_they_need_is_healthy():
    stack = services()
    def depends_on(name: str) -> dict[str, str]:
        depends = stack[name].get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on with conditions"
        return {other: spec.get("condition") for other, spec in depends.items()}
    assert depends_on("migrate") == {"postgres": "service_healthy"}
    assert stack["migrate"].get("restart") in ("no", None)
    for name in APP_SERVICES:
        if name == "migrate":
            continue
        depends = depends_on(name)
        assert depends.get("migrate") == "service_completed_successfully", name
        assert depends.get("postgres") == "service_healthy", name
        assert depends.get("kafka", "service_healthy") == "service_healthy", name
    assert depends_on("publisher").get("kafka") == "service_healthy"


def test_the_api_is_published_on_its_port():
    ports = [str(port) for port in services()["api"].get("ports", [])]
    assert any(port.rsplit(":", 1)[-1] == str(API_PORT) for port in ports), ports


# --- .env.example ----------------------------------------------------------------------------

def test_every_interpolated_variable_is_in_env_example_with_a_comment():
    used = set().union(*(interpolated_names(text) for text in all_strings(raw_compose())))
    documented = [name for name, _, _ in env_example_lines()]
    assert len(documented) == len(set(documented)), "a variable twice in .env.example"
    assert sorted(used - set(documented)) == [], "interpolated but not in .env.example"
    assert sorted(set(documented) - used) == [], "in .env.example but never used"
    for name, _, comments in env_example_lines():
        assert comments, f".env.example: {name} needs a comment above it"


def test_env_example_holds_placeholders_for_secrets_and_compose_requires_them():
    example = env_example()
    for name in SECRETS:
        assert "change-me" in example[name], f"{name}: a change-me placeholder, not a secret"
    for name in OPTIONAL_SECRETS:
        assert example[name] == "", f"{name}: left empty, so a copied example opens nothing"
    raw = "\n".join(all_strings(raw_compose()))
    for name in REQUIRED_SECRETS:
        # ${NAME:?...} everywhere: without .env compose refuses to start, no default is used.
        uses = re.findall(r"\$\{" + name + r"(\W[^}]*)?\}", raw)
        assert uses and all(use.startswith(":?") for use in uses), name
        with pytest.raises(MissingVariable, match=name):
            compose({key: value for key, value in example.items() if key != name})
    compose(example)  # the example alone fills everything in


def test_the_example_password_survives_the_database_url_unescaped():
    password = env_example()["POSTGRES_PASSWORD"]
    assert re.fullmatch(r"[A-Za-z0-9-]+", password)


# --- Dockerfile and .dockerignore ------------------------------------------------------------

def test_the_image_is_python_311_slim_and_runs_as_a_non_root_user():
    stage = final_stage()
    assert stage[0][1].split()[0] == "python:3.11-slim"
    users = [arguments for keyword, arguments in stage if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "USER: a non-root user"


def test_the_image_installs_the_project_with_pip_without_test_extras():
    runs = " ".join(arguments for keyword, arguments in dockerfile() if keyword == "RUN")
    assert "pip install" in runs
    assert "[test]" not in DOCKERFILE.read_text()
    assert "optional-dependencies" not in runs, "the test extras stay out of the image"
    assert not re.search(r"\b(pytest|hypothesis|ruff)\b", runs)


def dockerignore_excludes(path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents wins."""
    patterns = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern.lstrip("!").strip("/")
        regex = re.escape(body).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*")
        regex = regex.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        regex = re.sub(r"\\\[(.*?)\\\]", lambda m: "[" + m[1] + "]", regex)
        if any(re.fullmatch(regex, prefix) for prefix in prefixes):
            excluded = not negated
    return excluded


def test_the_image_copies_only_what_is_needed_and_no_secrets():
    sources = []
    for keyword, arguments in dockerfile():
        if keyword == "COPY" and "--from=" not in arguments:
            words = [w for w in shlex.split(arguments) if not w.startswith("--")]
            sources += words[:-1]
    assert sources
    for source in sources:
        path = ROOT / source
        assert path.exists(), source
        files = [path] if path.is_file() else [p for p in path.rglob("*.py")
                                                if "__pycache__" not in p.parts]
        for file in files:
            relative = file.relative_to(ROOT).as_posix()
            assert not dockerignore_excludes(relative), f"{relative} is left out of the context"
    for kept_out in (".env", ".venv/bin/python", ".git/HEAD", "var/hirelog.sqlite",
                     "var/hirelog.sqlite.key", "tests/unit/test_compose.py",
                     "api/__pycache__/cli.cpython-311.pyc"):
        assert dockerignore_excludes(kept_out), kept_out
