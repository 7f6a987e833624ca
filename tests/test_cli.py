"""The ``memberops`` command's contract: what it prints, where, and its exit status, against a
fresh database per test — a SQLite file, and a throwaway PostgreSQL database when
``MEMBEROPS_TEST_DATABASE_URL`` is set.

The CLI runs in-process (typer's runner), so ``get_settings()``'s cache is cleared around each
test to make it read this test's ``MEMBEROPS_DATABASE_URL``.
"""

import getpass
import json
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from memberops.api.app import create_app
from memberops.cli import app
from memberops.kernel.catalogue import errors_markdown
from memberops.kernel.db import make_engine
from memberops.kernel.settings import Settings, get_settings
from memberops.migrations import check
from memberops.tenancy import service as tenancy
from memberops.tenancy import users
from memberops.tenancy.errors import InvalidCredentials
from memberops.tenancy.models import ApiKey, AuditEntry, Channel, Role, Tenant, User
from tests.conftest import _postgres_engine

KEY_LINE = re.compile(r"^mo_[0-9a-f]{12}_\S+$")
ACTOR = f"cli:{getpass.getuser()}"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database nobody has touched: a new SQLite file, or a new PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.db'}"
        return
    for engine in _postgres_engine():
        yield engine.url.render_as_string(hide_password=False)


@pytest.fixture
def db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The CLI's database (by environment, as in production) and an engine to inspect it."""
    monkeypatch.setenv("MEMBEROPS_DATABASE_URL", database_url)
    monkeypatch.delenv("MEMBEROPS_PASSWORD", raising=False)
    get_settings.cache_clear()
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
    get_settings.cache_clear()


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def ok(*args: str, env: dict[str, str] | None = None) -> Result:
    result = run(*args, env=env)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def count(engine: Engine, model: type[object]) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def tenant_names(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(Tenant.name).order_by(Tenant.id)))


# --- init --------------------------------------------------------------------------------------


def test_init_creates_schema_and_default_tenant_and_is_idempotent(db: Engine) -> None:
    first = ok("init")
    assert first.stdout == ""
    assert first.stderr == "Created tenant 'default'.\nDatabase is up to date.\n"
    check(db)  # the schema is exactly what the models declare
    assert tenant_names(db) == ["default"]
    assert count(db, Channel) == len(tenancy.DEFAULT_CHANNELS)

    second = ok("init")
    assert second.stdout == ""
    assert second.stderr == "Database is up to date.\n"
    assert tenant_names(db) == ["default"]
    assert count(db, Channel) == len(tenancy.DEFAULT_CHANNELS)
    with Session(db) as session:
        audit = session.execute(select(AuditEntry.actor, AuditEntry.action)).all()
    assert audit == [(ACTOR, "tenant.create")]


def test_init_demo_admin_creates_prints_and_keeps_credentials(db: Engine, tmp_path: Path) -> None:
    credentials = tmp_path / "admin.json"
    first = ok("init", "--demo-admin", "--credentials", str(credentials))

    saved = json.loads(credentials.read_text())
    assert sorted(saved) == ["api_key", "email", "password"]
    assert saved["email"] == "admin@example.com"
    assert len(saved["password"]) >= 12
    assert KEY_LINE.match(saved["api_key"])
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert first.stdout == (
        f"Console login: admin@example.com / {saved['password']}\n"
        f"Admin API key: {saved['api_key']}\n"
        f"(kept in {credentials})\n"
    )
    with Session(db) as session:
        user = users.verify_login(session, "admin@example.com", saved["password"])
        assert [(t.name, role) for t, role in users.user_tenants(session, user.id)] == [
            ("default", Role.admin)
        ]
        principal = tenancy.authenticate_api_key(session, saved["api_key"])
        assert principal.role == Role.admin
        assert principal.tenant_id == session.scalar(select(Tenant.id))

    second = ok("init", "--demo-admin", "--credentials", str(credentials))
    assert second.stdout == first.stdout
    assert json.loads(credentials.read_text()) == saved
    assert (count(db, User), count(db, ApiKey)) == (1, 1)


def test_init_demo_admin_takes_the_password_from_the_environment(
    db: Engine, tmp_path: Path
) -> None:
    credentials = tmp_path / "admin.json"
    result = ok(
        "init",
        "--demo-admin",
        "--credentials",
        str(credentials),
        env={"MEMBEROPS_PASSWORD": PASSWORD},
    )
    assert result.stdout.startswith(f"Console login: admin@example.com / {PASSWORD}\n")
    assert json.loads(credentials.read_text())["password"] == PASSWORD
    with Session(db) as session:
        users.verify_login(session, "admin@example.com", PASSWORD)


def test_init_demo_admin_replaces_credentials_of_another_database(
    db: Engine, tmp_path: Path
) -> None:
    """``make clean`` drops the database but keeps the file: its key would not work here."""
    credentials = tmp_path / "admin.json"
    stale = {"email": "admin@example.com", "password": "gone-gone-gone", "api_key": "mo_0_x"}
    credentials.write_text(json.dumps(stale))
    ok("init", "--demo-admin", "--credentials", str(credentials))
    saved = json.loads(credentials.read_text())
    assert saved["password"] != stale["password"]
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    with Session(db) as session:
        users.verify_login(session, "admin@example.com", saved["password"])
        tenancy.authenticate_api_key(session, saved["api_key"])


def test_init_demo_admin_refuses_to_print_a_password_it_does_not_know(
    db: Engine, tmp_path: Path
) -> None:
    ok("init", "--demo-admin", "--credentials", str(tmp_path / "admin.json"))
    elsewhere = tmp_path / "other.json"
    result = run("init", "--demo-admin", "--credentials", str(elsewhere))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"error (conflict): admin@example.com already exists here but {elsewhere} does not "
        "hold its credentials: pass the right --credentials, or add an admin with "
        "'memberops user create'.\n"
    )
    assert not elsewhere.exists()
    assert (count(db, User), count(db, ApiKey)) == (1, 1)


# --- tenants -----------------------------------------------------------------------------------


def test_tenant_create_and_list(db: Engine) -> None:
    ok("init")
    result = ok("tenant", "create", "acme")
    with Session(db) as session:
        acme = session.scalars(select(Tenant).where(Tenant.name == "acme")).one()
    assert result.stdout == f"Created tenant 'acme' (id {acme.id}).\n"
    assert (acme.timezone, acme.currency, acme.phone_region) == ("Asia/Shanghai", "CNY", "CN")
    assert ok("tenant", "list").stdout == (
        "default\tAsia/Shanghai\tCNY\tCN\nacme\tAsia/Shanghai\tCNY\tCN\n"
    )


def test_tenant_create_takes_the_deployment_defaults(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok("init")
    monkeypatch.setenv("MEMBEROPS_DEFAULT_TIMEZONE", "America/New_York")
    monkeypatch.setenv("MEMBEROPS_DEFAULT_CURRENCY", "USD")
    monkeypatch.setenv("MEMBEROPS_DEFAULT_PHONE_REGION", "US")
    get_settings.cache_clear()
    ok("tenant", "create", "nyc")
    assert ok("tenant", "list").stdout.splitlines()[1] == "nyc\tAmerica/New_York\tUSD\tUS"


def test_duplicate_tenant_is_refused(db: Engine) -> None:
    ok("init")
    ok("tenant", "create", "acme")
    result = run("tenant", "create", "acme")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error (tenancy.tenant_exists): Tenant 'acme' already exists.\n"
    assert tenant_names(db) == ["default", "acme"]


@pytest.mark.parametrize("name", ["Acme", "a b", "_acme", "acme!", "x" * 65, "", "[/x]"])
def test_bad_tenant_name_is_refused_on_one_line(db: Engine, name: str) -> None:
    ok("init")
    result = run("tenant", "create", name)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"error (tenancy.invalid_setting): Tenant name {name!r} must be lower-case letters, "
        "digits, '-' or '_' (max 64).\n"
    )
    assert tenant_names(db) == ["default"]


# --- API keys ----------------------------------------------------------------------------------

#: (GET /tenant, POST /channels) status per scope: what each key may do.
SCOPE_STATUS = {
    Role.admin: (200, 201),
    Role.operator: (200, 403),
    Role.analyst: (200, 403),
    Role.pos: (403, 403),
}


@pytest.mark.parametrize("scope", list(Role))
def test_apikey_create_prints_a_key_that_authenticates_with_its_scope(
    db: Engine, scope: Role
) -> None:
    ok("init")
    ok("tenant", "create", "acme")
    result = ok("apikey", "create", "--tenant", "acme", "--scope", scope.value, "--name", "till 1")
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert result.stdout == lines[0] + "\n"
    assert KEY_LINE.match(lines[0])
    key = lines[0]

    client = TestClient(create_app(Settings(secret_key="test"), db))
    headers = {"Authorization": f"Bearer {key}"}
    read = client.get("/api/v1/tenant", headers=headers)
    write = client.post(
        "/api/v1/channels", json={"code": "kiosk", "name": "Kiosk"}, headers=headers
    )
    assert (read.status_code, write.status_code) == SCOPE_STATUS[scope]
    if read.status_code == 200:
        assert read.json()["name"] == "acme"
    else:
        assert read.json()["code"] == "auth.forbidden"
    bad = client.get("/api/v1/tenant", headers={"Authorization": f"Bearer {key[:-1]}x"})
    assert bad.status_code == 401

    with Session(db) as session:
        row = session.scalars(select(ApiKey)).one()
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "apikey.create")
        ).one()
    assert (row.scope, row.name, row.prefix) == (scope, "till 1", key[3:15])
    assert entry.actor == ACTOR
    assert entry.after == {"prefix": row.prefix, "scope": scope.value, "name": "till 1"}


def test_apikey_list_and_revoke(db: Engine) -> None:
    ok("init")
    key = ok("apikey", "create", "--tenant", "default", "--scope", "pos", "--name", "till").stdout
    prefix = key[3:15]
    client = TestClient(create_app(Settings(secret_key="test"), db))
    headers = {"Authorization": f"Bearer {key.strip()}"}
    assert (
        client.get("/api/v1/members?identity=phone:13800000000", headers=headers).status_code == 200
    )

    listed = ok("apikey", "list", "--tenant", "default").stdout.splitlines()
    assert len(listed) == 1
    assert listed[0].split("\t")[:3] == [prefix, "pos", "till"]
    assert listed[0].endswith("\t-")

    assert ok("apikey", "revoke", prefix, "--tenant", "default").stdout == f"Revoked {prefix}.\n"
    assert ok("apikey", "revoke", prefix, "--tenant", "default").exit_code == 0
    refused = client.get("/api/v1/members?identity=phone:13800000000", headers=headers)
    assert refused.status_code == 401
    assert not ok("apikey", "list", "--tenant", "default").stdout.rstrip().endswith("\t-")
    with Session(db) as session:
        revocations = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "apikey.revoke")
        ).all()
    assert [(e.actor, e.after) for e in revocations] == [
        (ACTOR, {"revoked": True, "prefix": prefix})
    ]

    missing = run("apikey", "revoke", "000000000000", "--tenant", "default")
    assert missing.exit_code == 2
    assert missing.stderr == (
        "error (tenancy.api_key_not_found): No API key '000000000000' in this tenant.\n"
    )


def test_apikey_for_unknown_tenant_is_refused(db: Engine) -> None:
    ok("init")
    result = run("apikey", "create", "--tenant", "nope", "--scope", "admin")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error (tenancy.tenant_not_found): No tenant named 'nope'.\n"
    assert count(db, ApiKey) == 0


def test_apikey_with_unknown_scope_is_a_usage_error(db: Engine) -> None:
    ok("init")
    result = run("apikey", "create", "--tenant", "default", "--scope", "root")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for '--scope'" in result.stderr
    assert count(db, ApiKey) == 0


# --- users -------------------------------------------------------------------------------------


def test_user_create_with_password_from_environment(db: Engine) -> None:
    ok("init")
    result = ok(
        "user",
        "create",
        "--tenant",
        "default",
        "--role",
        "analyst",
        "Ana@Shop.CN",
        env={"MEMBEROPS_PASSWORD": PASSWORD},
    )
    assert result.stdout == "ana@shop.cn is analyst of default.\n"
    with Session(db) as session:
        user = users.verify_login(session, "ana@shop.cn", PASSWORD)
        assert [(t.name, role) for t, role in users.user_tenants(session, user.id)] == [
            ("default", Role.analyst)
        ]
        with pytest.raises(InvalidCredentials):
            users.verify_login(session, "ana@shop.cn", PASSWORD + "!")


def test_user_create_without_password_or_terminal_is_refused(db: Engine) -> None:
    ok("init")
    result = run("user", "create", "--tenant", "default", "--role", "admin", "ana@shop.cn")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error: set MEMBEROPS_PASSWORD or run in a terminal.\n"
    assert count(db, User) == 0


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("ana@shop.cn", "short", "A password needs at least 8 characters."),
        ("[/x]", PASSWORD, "'[/x]' is not an email address."),
    ],
)
def test_user_create_refusals_print_the_detail_verbatim(
    db: Engine, email: str, password: str, message: str
) -> None:
    ok("init")
    result = run(
        "user",
        "create",
        "--tenant",
        "default",
        "--role",
        "admin",
        email,
        env={"MEMBEROPS_PASSWORD": password},
    )
    assert result.exit_code == 2
    assert result.stderr == f"error (tenancy.invalid_setting): {message}\n"
    assert count(db, User) == 0


def test_user_create_for_unknown_tenant_is_refused(db: Engine) -> None:
    ok("init")
    result = run(
        "user",
        "create",
        "--tenant",
        "nope",
        "--role",
        "admin",
        "ana@shop.cn",
        env={"MEMBEROPS_PASSWORD": PASSWORD},
    )
    assert result.exit_code == 2
    assert result.stderr == "error (tenancy.tenant_not_found): No tenant named 'nope'.\n"
    assert count(db, User) == 0


# --- docs --------------------------------------------------------------------------------------


def test_docs_errors_writes_the_catalogue(tmp_path: Path) -> None:
    out = tmp_path / "errors.md"
    result = ok("docs", "errors", "--out", str(out))
    assert result.stdout == f"Wrote {out}.\n"
    assert out.read_text() == errors_markdown()
