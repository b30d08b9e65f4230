"""Engines for the SQL ledger: SQLite set up for one writer at a time, and write transactions."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from onaccount._errors import LedgerBusy, SchemaError

__all__ = ["WriteTransaction", "connect", "sqlite_file"]


def _url(target: str | Path) -> str:
    text = str(target)
    if "://" not in text:
        return f"sqlite:///{_sqlite_file(Path(text).expanduser())}"
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    file = sqlite_file(text)
    if file is not None:
        _sqlite_file(file)
    return text


def sqlite_file(target: str | Path) -> Path | None:
    """The file a SQLite path or ``sqlite:///`` URL names; None for any other database.

    An in-memory database, or one given as a ``file:`` URI, has no path to check.
    """
    text = str(target)
    if "://" not in text:
        return Path(text).expanduser()
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        return None  # connect() says what is wrong with it
    database = url.database or ""
    if not url.drivername.startswith("sqlite") or database in ("", ":memory:"):
        return None
    if database.startswith("file:") or url.query.get("uri") == "true":
        return None
    # As SQLite will open it: a URL's ~ is no home folder.
    return Path(database)


def _sqlite_file(path: Path) -> Path:
    """``path``, refused where SQLite could neither open nor make a file (it says only why not)."""
    if path.is_dir():
        raise SchemaError(
            f"database {path} is a folder, not a SQLite file; give the file in it, such as "
            f"{path / 'onaccount.sqlite'}",
            value=str(path),
            field="target",
        )
    if not path.exists() and not path.parent.is_dir():
        raise SchemaError(
            f"database file {path} cannot be made: its folder {path.parent} does not exist; "
            "create the folder first or give a path in an existing one",
            value=str(path),
            field="target",
        )
    return path


def connect(target: str | Path | Engine) -> Engine:
    """An engine for a SQLite file path or URL, or a PostgreSQL URL.

    ``postgresql://`` URLs use psycopg 3. SQLite files get WAL journaling, foreign keys
    and a 30-second busy timeout, and their write transactions begin immediately.
    """
    if isinstance(target, Engine):
        if target.dialect.name == "sqlite":
            _prepare_sqlite(target, target.url.render_as_string())
        return target
    url = _url(target)
    if url.startswith("sqlite"):
        engine = _created(url, connect_args={"timeout": 30})
        _prepare_sqlite(engine, url)
        return engine
    return _created(url, pool_pre_ping=True)


_WRITE = (
    "write postgresql://USER:PASSWORD@HOST/DATABASE for PostgreSQL (psycopg 3), or the "
    "path of a SQLite file"
)


def _created(url: str, **options: Any) -> Engine:
    """``sa.create_engine(url)``; a URL it cannot use is refused saying what to write."""
    scheme, _, rest = url.partition("://")
    if rest.split("/", 1)[0].count("@") > 1:
        # Read as written, the host would be part of the password: never connect to that.
        raise _unreadable(url)
    try:
        return sa.create_engine(url, **options)
    except NoSuchModuleError:
        raise SchemaError(
            f"database URL {_hidden(url)} names {scheme!r}, a database or driver SQLAlchemy "
            f"does not know; {_WRITE}",
            value=scheme,
            field="target",
        ) from None
    except ModuleNotFoundError as error:
        package = error.name or scheme
        how = (
            "pip install 'onaccount[postgres]'"
            if package == "psycopg"
            else "install it, or use psycopg 3 (pip install 'onaccount[postgres]')"
        )
        raise SchemaError(
            f"database URL {_hidden(url)} needs the Python package {package!r}, which is not "
            f"installed; {how} and {_WRITE}",
            value=package,
            field="target",
        ) from None
    except ValueError:
        raise _unreadable(url) from None


def _unreadable(url: str) -> SchemaError:
    return SchemaError(
        f"database URL {_hidden(url)} cannot be read: an @, : or / in the user or password "
        f"must be percent-encoded (@ as %40, : as %3A, / as %2F); {_WRITE}",
        value=_hidden(url),
        field="target",
    )


def _hidden(url: str) -> str:
    """``url`` without its user and password, which have no place in a message or log.

    The user part ends at the last ``@`` before the query, as a password holding an
    unencoded ``/`` or ``@`` would be cut elsewhere; a ``password=`` in the query goes too.
    """
    scheme, sep, rest = url.partition("://")
    query = rest.find("?")
    at = rest.rfind("@", 0, query if query >= 0 else len(rest))
    if at >= 0:
        rest = "***" + rest[at:]
    return scheme + sep + _PASSWORD_PARAMETER.sub(r"\1***", rest)


_PASSWORD_PARAMETER = re.compile(r"([?&]password=)[^&]*", re.IGNORECASE)


def _on_begin(conn: Connection) -> None:
    immediate = conn.info.pop("immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _prepare_sqlite(engine: Engine, url: str) -> None:
    """Make a SQLite engine begin write transactions immediately, with foreign keys on.

    Also for engines a host built itself: without this, pysqlite would begin a
    transaction only at the first write, after the spending room was checked.
    """
    if event.contains(engine, "begin", _on_begin):
        return
    in_memory = ":memory:" in url or url in {"sqlite://", "sqlite+pysqlite://"}
    owner: list[threading.Thread] = []

    def on_connect(dbapi_connection: Any, record: Any) -> None:
        if in_memory:
            # Each thread's connection would be a database of its own, without tables.
            here = threading.current_thread()
            if owner and owner[0] is not here:
                raise _other_thread(url, owner[0], here)
            owner[:] = [here]
        # Let SQLAlchemy's "begin" event, not pysqlite, decide how transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", _on_begin)
    # Connections pooled before the listeners existed would miss them.
    engine.dispose()


def _other_thread(url: str, owner: threading.Thread, here: threading.Thread) -> SchemaError:
    return SchemaError(
        f"an in-memory SQLite ledger ({url}) lives on the connection of the thread that "
        f"opened it, {owner.name}; thread {here.name} would find it empty: use the ledger "
        "from that thread, or give it a SQLite file (a temporary one will do) to share it "
        "between threads",
        value=url,
        field="target",
    )


class WriteTransaction:
    """A write transaction: immediate on SQLite, ordinary elsewhere.

    SQLite takes the write lock as it begins, waiting up to the busy timeout for another
    writer; one that keeps it longer is `LedgerBusy`, and nothing was written.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __enter__(self) -> Connection:
        self._conn = self._engine.connect()
        self._conn.info["immediate"] = True
        try:
            self._tx = self._conn.begin()
        except OperationalError as error:
            self._conn.info.pop("immediate", None)
            self._conn.close()
            if "database is locked" not in str(error.orig):
                raise
            raise LedgerBusy(
                f"the database {self._engine.url.database} is busy: another connection held "
                "it locked for writing past the wait; nothing was written: try again, and if "
                "it stays busy, look for a program that keeps a write transaction open on it",
                value=self._engine.url.database,
                field="target",
            ) from None
        return self._conn

    def __exit__(self, kind: object, error: object, tb: object) -> None:
        try:
            if kind is None:
                self._tx.commit()
            else:
                self._tx.rollback()
        finally:
            self._conn.info.pop("immediate", None)
            self._conn.close()
