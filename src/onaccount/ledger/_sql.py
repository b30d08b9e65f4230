"""SQLLedger: the Ledger on SQLAlchemy Core, for SQLite files and PostgreSQL.

Amounts are stored as whole minor units (integers), instants as UTC microseconds since
the epoch, unit prices and quantities as exact decimal text. Each account row carries its
running balance, limit and revision, updated in the same database transaction as the
booking that changes them, so filters such as "balance below 0" are indexed queries.

Writes take the account rows they touch with ``SELECT … FOR UPDATE`` on PostgreSQL, in
account-number order so that concurrent writers cannot deadlock; on SQLite every write
transaction begins with ``BEGIN IMMEDIATE``, which takes the database's write lock up
front.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, StatementError

from onaccount._account import Account
from onaccount._errors import (
    InvalidValue,
    SchemaError,
    StorageError,
    UnknownRun,
)
from onaccount._invoices import AccountInvoice, InvoiceRun, InvoiceState
from onaccount._money import CURRENCIES, Vat, line_amount, minor_unit
from onaccount._period import Period
from onaccount._query import AccountQuery, AccountState, fold_text
from onaccount._statement import AccountTotals, BatchSource, DayTotal, ProductTotal
from onaccount._strategies import Correction
from onaccount._transaction import (
    CreditBooking,
    CreditKind,
    Mutation,
    MutationKind,
    Purchase,
    Transaction,
    stored_line,
    stored_purchase,
)
from onaccount.ledger._codec import (
    account_from_json,
    account_to_json,
    from_minor,
    period_from_row,
    statement_from_json,
    statement_to_json,
    to_minor,
)
from onaccount.ledger._protocol import check_booking, check_mutation, limit_change
from onaccount.ledger._refusals import (
    already_undone,
    changed_since_planned,
    check_account_update,
    duplicate_account,
    duplicate_transaction,
    invoiced_meanwhile,
    no_invoice_for,
    unknown_account,
    unknown_run,
)

__all__ = ["SCHEMA_VERSION", "SQLLedger", "connect", "schema_version", "upgrade"]

#: The schema version this library writes and reads.
SCHEMA_VERSION = 3

# Bound parameters per IN (...) list; SQLite's limit is 32,766 per statement.
_CHUNK = 500
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ZERO = Decimal(0)

metadata = sa.MetaData()

schema_info = sa.Table(
    "onaccount_schema",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)

accounts = sa.Table(
    "onaccount_accounts",
    metadata,
    sa.Column("number", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("name_folded", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("places", sa.SmallInteger, nullable=False),
    sa.Column("grp", sa.Text),
    sa.Column("opening_limit_minor", sa.BigInteger, nullable=False),
    sa.Column("limit_minor", sa.BigInteger, nullable=False),
    sa.Column("balance_minor", sa.BigInteger, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Index("ix_onaccount_accounts_balance", "balance_minor"),
    sa.Index("ix_onaccount_accounts_grp", "grp"),
)

account_tags = sa.Table(
    "onaccount_account_tags",
    metadata,
    sa.Column("number", sa.ForeignKey(accounts.c.number), primary_key=True),
    sa.Column("tag", sa.Text, primary_key=True),
    sa.Index("ix_onaccount_account_tags_tag", "tag"),
)

transactions = sa.Table(
    "onaccount_transactions",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("account", sa.ForeignKey(accounts.c.number), nullable=False),
    sa.Column("at_us", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("text", sa.Text),
    # The active account invoice holding this purchase; cleared by undo.
    sa.Column("invoice_id", sa.Text),
    sa.Index("ix_onaccount_transactions_account_at", "account", "at_us", "id"),
    # Version 3: only invoiced rows. Most rows are free, and a full index on invoice_id
    # led SQLite to scan it for "invoice_id IS NULL" instead of the account's range.
    sa.Index(
        "ix_onaccount_transactions_invoice",
        "invoice_id",
        sqlite_where=sa.text("invoice_id IS NOT NULL"),
        postgresql_where=sa.text("invoice_id IS NOT NULL"),
    ),
)

# Aliases for the methods whose parameters share these tables' names.
accounts_table = accounts
transactions_table = transactions

lines = sa.Table(
    "onaccount_lines",
    metadata,
    sa.Column("transaction_id", sa.ForeignKey(transactions.c.id), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("product", sa.Text, nullable=False),
    sa.Column("code", sa.Text),
    sa.Column("grp", sa.Text),
    sa.Column("quantity", sa.Text, nullable=False),
    sa.Column("unit_price", sa.Text, nullable=False),
    sa.Column("vat_category", sa.String(2), nullable=False),
    sa.Column("vat_rate", sa.Text, nullable=False),
    sa.Column("vat_reason", sa.Text),
    # Version 3: the line's amount (line_amount) in minor units, fixed when recorded, so
    # the database sums statements exactly.
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
)

runs = sa.Table(
    "onaccount_runs",
    metadata,
    sa.Column("seq", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("id", sa.Text, nullable=False, unique=True),
    sa.Column("key", sa.Text, unique=True),
    sa.Column("period_first", sa.String(10), nullable=False),
    sa.Column("period_last", sa.String(10), nullable=False),
    sa.Column("tz", sa.Text, nullable=False),
    sa.Column("day_starts_at", sa.String(16), nullable=False),
    sa.Column("strategy", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("created_at_us", sa.BigInteger, nullable=False),
    # Version 2: what the key is bound to (Plan.fingerprint), the plan's currency and its
    # selected accounts as a JSON list; NULL for runs stored by version 1.
    sa.Column("fingerprint", sa.String(64)),
    sa.Column("currency", sa.String(3)),
    sa.Column("selected", sa.Text),
)

mutations = sa.Table(
    "onaccount_mutations",
    metadata,
    sa.Column("seq", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("id", sa.Text, nullable=False, unique=True),
    sa.Column("account", sa.ForeignKey(accounts.c.number), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("balance_delta_minor", sa.BigInteger, nullable=False),
    sa.Column("limit_delta_minor", sa.BigInteger, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("at_us", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("run_id", sa.Text),
    sa.Index("ix_onaccount_mutations_account", "account", "at_us"),
    sa.Index("ix_onaccount_mutations_run", "run_id"),
)

invoices = sa.Table(
    "onaccount_account_invoices",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("run_id", sa.ForeignKey(runs.c.id), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("account", sa.ForeignKey(accounts.c.number), nullable=False),
    # The account as it was when invoiced: exports of the run keep showing it so.
    sa.Column("account_data", sa.Text, nullable=False),
    sa.Column("balance_before_minor", sa.BigInteger, nullable=False),
    sa.Column("limit_before_minor", sa.BigInteger, nullable=False),
    sa.Column("balance_delta_minor", sa.BigInteger, nullable=False),
    sa.Column("limit_delta_minor", sa.BigInteger, nullable=False),
    sa.Column("mutation_id", sa.Text),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("undo_mutation_id", sa.Text),
    sa.Column("undone_at_us", sa.BigInteger),
    sa.Column("undone_by", sa.Text),
    sa.Column("undo_reason", sa.Text),
    # The statement's totals per day, product and VAT rate; the purchases are linked.
    sa.Column("statement_data", sa.Text, nullable=False),
    sa.UniqueConstraint("run_id", "account"),
    sa.Index("ix_onaccount_account_invoices_account", "account"),
)

invoice_items = sa.Table(
    "onaccount_invoice_items",
    metadata,
    sa.Column("invoice_id", sa.ForeignKey(invoices.c.id), primary_key=True),
    sa.Column("transaction_id", sa.ForeignKey(transactions.c.id), primary_key=True),
    sa.Index("ix_onaccount_invoice_items_transaction", "transaction_id"),
)


# -- engines and schema ----------------------------------------------------------------


def _url(target: str | Path) -> str:
    text = str(target)
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser()}"
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    return text


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
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        _prepare_sqlite(engine, url)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


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

    def on_connect(dbapi_connection: Any, record: Any) -> None:
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


def schema_version(target: str | Path | Engine) -> int | None:
    """The schema version stored in the database, or None where there is none yet."""
    engine = connect(target)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(schema_info.name):
                return None
            return conn.execute(sa.select(schema_info.c.version)).scalar_one_or_none()
    finally:
        if engine is not target:
            # An engine made here from a path or URL is ours to close.
            engine.dispose()


def upgrade(target: str | Path | Engine) -> tuple[int | None, int]:
    """Create the schema, or upgrade it to `SCHEMA_VERSION`; returns (before, after).

    Refuses a database whose schema is newer than this library knows.
    """
    engine = connect(target)
    try:
        before = schema_version(engine)
        if before is not None and before > SCHEMA_VERSION:
            raise _too_new(before)
        with _WriteTransaction(engine) as conn:
            if before is None:
                metadata.create_all(conn)
                conn.execute(sa.insert(schema_info).values(id=1, version=SCHEMA_VERSION))
            else:
                for version in range(before, SCHEMA_VERSION):
                    _STEPS[version](conn)
                    conn.execute(sa.update(schema_info).values(version=version + 1))
        return before, SCHEMA_VERSION
    finally:
        if engine is not target:
            engine.dispose()


_upgrade = upgrade


def _add_run_fingerprints(conn: Connection) -> None:
    """Version 1 to 2: runs keep what their key is bound to; older runs have none."""
    for name in ("fingerprint", "currency", "selected"):
        column = runs.c[name]
        kind = column.type.compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE {runs.name} ADD COLUMN {name} {kind}")


# The step from each version to the next, run in order by `upgrade`.
def _add_line_amounts(conn: Connection) -> None:
    """Version 2 to 3: lines keep their amount in minor units; the invoice index is partial."""
    conn.exec_driver_sql(
        f"ALTER TABLE {lines.name} ADD COLUMN amount_minor BIGINT NOT NULL DEFAULT 0"
    )
    rows = conn.execute(
        sa.select(
            lines.c.transaction_id,
            lines.c.position,
            lines.c.quantity,
            lines.c.unit_price,
            transactions.c.currency,
        ).join(transactions, transactions.c.id == lines.c.transaction_id)
    ).all()
    update = (
        sa.update(lines)
        .where(
            lines.c.transaction_id == sa.bindparam("b_tx"),
            lines.c.position == sa.bindparam("b_pos"),
        )
        .values(amount_minor=sa.bindparam("b_amount"))
    )
    params = [
        {
            "b_tx": tx_id,
            "b_pos": position,
            "b_amount": to_minor(
                line_amount(Decimal(quantity), Decimal(price), minor_unit(currency)),
                CURRENCIES[currency],
            ),
        }
        for tx_id, position, quantity, price, currency in rows
    ]
    for start in range(0, len(params), 5_000):
        conn.execute(update, params[start : start + 5_000])
    index = next(i for i in transactions.indexes if i.name == "ix_onaccount_transactions_invoice")
    conn.exec_driver_sql(f"DROP INDEX {index.name}")
    index.create(conn)


_STEPS = {1: _add_run_fingerprints, 2: _add_line_amounts}


def _too_new(found: int) -> SchemaError:
    return SchemaError(
        f"the database has onaccount schema version {found}, newer than version "
        f"{SCHEMA_VERSION} that this onaccount knows; upgrade the onaccount package",
        value=found,
        field="schema_version",
    )


def _check_schema(engine: Engine) -> None:
    """Refuse a database without the schema, or with one older or newer than ours."""
    found = schema_version(engine)
    where = engine.url.render_as_string(hide_password=True)
    if found is None:
        raise SchemaError(
            f"database {where} has no onaccount schema; create it with "
            "onaccount.ledger.sql.upgrade(url) or `onaccount db upgrade`",
            value=where,
            field="schema_version",
        )
    if found > SCHEMA_VERSION:
        raise _too_new(found)
    if found < SCHEMA_VERSION:
        raise SchemaError(
            f"database {where} has onaccount schema version {found}, older than version "
            f"{SCHEMA_VERSION} that this onaccount writes; back it up, then upgrade it with "
            "`onaccount db upgrade` or onaccount.ledger.sql.upgrade(url)",
            value=found,
            field="schema_version",
        )


class _WriteTransaction:
    """A write transaction: immediate on SQLite, ordinary elsewhere."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __enter__(self) -> Connection:
        self._conn = self._engine.connect()
        self._conn.info["immediate"] = True
        self._tx = self._conn.begin()
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


# -- conversions ---------------------------------------------------------------------


def _to_us(instant: dt.datetime) -> int:
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _from_us(us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=us)


def _minor(amount: Decimal, currency: str, what: str) -> int:
    try:
        return to_minor(amount, CURRENCIES[currency])
    except ValueError:
        raise InvalidValue(
            f"{what} {amount} has more decimal places than {currency} allows; round it "
            f"to {CURRENCIES[currency]} places",
            value=amount,
            field=what,
        ) from None


@contextlib.contextmanager
def _storing(what: str) -> Iterator[None]:
    """Turn a driver's refusal into `StorageError` naming ``what``, never the statement.

    The library's checks refuse every value they know to be unstorable; this catches what
    they cannot foresee (a value built past them, a server's own limit). The driver's own
    text would print the SQL and its parameters, customer data included.
    """
    try:
        yield
    except IntegrityError:
        raise
    except (StatementError, UnicodeError, OverflowError) as error:
        cause = error.orig if isinstance(error, StatementError) else error
        # The driver's first line says what is wrong; what follows it quotes the SQL.
        first_line = (str(cause).splitlines() or [""])[0][:200]
        raise StorageError(
            f"the database refused to store {what}: {type(cause).__name__}: {first_line}; "
            "check the values for characters or sizes it cannot keep",
            value=what,
        ) from None


def _what(batch: Sequence[Transaction | Account | Mutation]) -> str:
    kind = (
        "booking"
        if isinstance(batch[0], Transaction)
        else "account"
        if isinstance(batch[0], Account)
        else "mutation"
    )
    key = batch[0].number if isinstance(batch[0], Account) else batch[0].id
    return f"{kind} {key}" if len(batch) == 1 else f"{len(batch)} {kind}s from {kind} {key} on"


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _transaction_row(tx: Transaction, amount: int) -> dict[str, Any]:
    if isinstance(tx, Purchase):
        kind, text = "purchase", tx.note
    elif isinstance(tx, CreditBooking):
        kind, text = tx.kind.value, tx.reason
    else:  # pragma: no cover - only two kinds exist
        raise InvalidValue(f"cannot store {tx!r}", value=tx)
    return {
        "id": tx.id,
        "account": tx.account,
        "at_us": _to_us(tx.at),
        "kind": kind,
        "currency": tx.currency,
        "amount_minor": amount,
        "text": text,
        "invoice_id": None,
    }


def _line_rows(tx: Purchase, places: int) -> list[dict[str, Any]]:
    quantum = minor_unit(tx.currency)
    return [
        {
            "transaction_id": tx.id,
            "position": i,
            "product": line.product,
            "code": line.code,
            "grp": line.group,
            "quantity": str(line.quantity),
            "unit_price": str(line.unit_price),
            "vat_category": line.vat.category.value,
            "vat_rate": str(line.vat.rate),
            "vat_reason": line.vat.exemption_reason,
            "amount_minor": to_minor(line_amount(line.quantity, line.unit_price, quantum), places),
        }
        for i, line in enumerate(tx.lines)
    ]


class _Decoder:
    """Turns rows back into bookings, sharing equal values.

    One Vat per rate and one Decimal per price text, so a long stream costs little time
    and memory.
    """

    __slots__ = ("_decimals", "_vats")

    def __init__(self) -> None:
        self._decimals: dict[str, Decimal] = {}
        self._vats: dict[tuple[str, str, str | None], Vat] = {}

    def decimal(self, text: str) -> Decimal:
        value = self._decimals.get(text)
        if value is None:
            if len(self._decimals) > 50_000:
                self._decimals.clear()
            value = self._decimals[text] = Decimal(text)
        return value

    def vat(self, category: str, rate: str, reason: str | None) -> Vat:
        key = (category, rate, reason)
        vat = self._vats.get(key)
        if vat is None:
            vat = self._vats[key] = Vat(category, Decimal(rate), reason)
        return vat

    def transaction(self, head: Any, line_rows: list[Any]) -> Transaction:
        # Row layout: see SQLLedger._select_transactions.
        tx_id, account, at_us, kind, currency, amount_minor, text = head[:7]
        at = _EPOCH + dt.timedelta(microseconds=at_us)
        if kind == "purchase":
            decimal, vat = self.decimal, self.vat
            return stored_purchase(
                tx_id,
                account,
                at,
                currency,
                tuple(
                    stored_line(
                        r[7], r[8], r[9], decimal(r[10]), decimal(r[11]), vat(r[12], r[13], r[14])
                    )
                    for r in line_rows
                ),
                text,
            )
        return CreditBooking(
            id=tx_id,
            account=account,
            at=at,
            currency=currency,
            credit=from_minor(amount_minor, CURRENCIES[currency]),
            kind=CreditKind(kind),
            reason=text,
        )


class SQLLedger:
    """A `Ledger` in a SQL database: a SQLite file (the embedded default) or PostgreSQL.

    The schema must exist: create or upgrade it explicitly with `upgrade`, or pass
    ``upgrade=True``. A database with a newer schema than this library knows is refused.
    """

    def __init__(self, target: str | Path | Engine, *, upgrade: bool = False) -> None:
        if not upgrade and isinstance(target, (str, Path)) and "://" not in str(target):
            path = Path(target).expanduser()
            if not path.exists():
                # SQLite would create an empty file; a typo should not leave one behind.
                raise SchemaError(
                    f"database file {path} does not exist; create it with "
                    "`onaccount db upgrade` or onaccount.ledger.sql.upgrade(path)",
                    value=str(path),
                    field="target",
                )
        self.engine = connect(target)
        try:
            if upgrade:
                _upgrade(self.engine)
            _check_schema(self.engine)
        except BaseException:
            if not isinstance(target, Engine):
                # The engine is ours: a refused database keeps no connection open.
                self.engine.dispose()
            raise
        self._postgres = self.engine.dialect.name == "postgresql"

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def _bytewise(self, column: Any) -> Any:
        # Order text as Python does (by code point): PostgreSQL's locale collations do not.
        return column.collate("C") if self._postgres else column

    # -- helpers ------------------------------------------------------------------------

    def _lock_accounts(self, conn: Connection, numbers: Iterable[str]) -> dict[str, Any]:
        """Read (and on PostgreSQL lock, in number order) the rows of ``numbers``."""
        found: dict[str, Any] = {}
        for chunk in _chunks(sorted(set(numbers))):
            query = (
                sa.select(accounts).where(accounts.c.number.in_(chunk)).order_by(accounts.c.number)
            )
            if self._postgres:
                query = query.with_for_update()
            for row in conn.execute(query):
                found[row.number] = row
        return found

    @staticmethod
    def _state(row: Any) -> AccountState:
        places = row.places
        return AccountState(
            account=account_from_json(row.data),
            balance=from_minor(row.balance_minor, places),
            limit=from_minor(row.limit_minor, places),
            revision=row.revision,
        )

    def _apply(self, conn: Connection, booked: Iterable[tuple[Mutation, str]]) -> None:
        """Store mutations (each with its account's currency) and move the accounts."""
        rows = [
            {
                "id": m.id,
                "account": m.account,
                "kind": m.kind.value,
                "balance_delta_minor": _minor(m.balance_delta, currency, "balance delta"),
                "limit_delta_minor": _minor(m.limit_delta, currency, "limit delta"),
                "actor": m.actor,
                "at_us": _to_us(m.at),
                "reason": m.reason,
                "run_id": m.run_id,
            }
            for m, currency in booked
        ]
        if not rows:
            return
        conn.execute(sa.insert(mutations), rows)
        conn.execute(
            sa.update(accounts)
            .where(accounts.c.number == sa.bindparam("b_number"))
            .values(
                balance_minor=accounts.c.balance_minor + sa.bindparam("b_balance"),
                limit_minor=accounts.c.limit_minor + sa.bindparam("b_limit"),
                revision=accounts.c.revision + 1,
            ),
            [
                {
                    "b_number": r["account"],
                    "b_balance": r["balance_delta_minor"],
                    "b_limit": r["limit_delta_minor"],
                }
                for r in rows
            ],
        )

    # -- accounts -----------------------------------------------------------------------

    def open_account(self, account: Account) -> None:
        """Store a new account; `DuplicateAccount` if the number is taken."""
        self.open_accounts([account])

    def open_accounts(self, accounts: Iterable[Account]) -> None:
        """Store several new accounts in one transaction: all of them, or none."""
        batch = list(accounts)
        seen: set[str] = set()
        for account in batch:
            if account.number in seen:
                raise duplicate_account(account, account.name)
            seen.add(account.number)
        try:
            with (
                _storing(_what(batch) if batch else "no accounts"),
                _WriteTransaction(self.engine) as conn,
            ):
                existing = self._lock_accounts(conn, seen)
                for account in batch:
                    if account.number in existing:
                        raise duplicate_account(account, existing[account.number].name)
                if not batch:
                    return
                conn.execute(
                    sa.insert(accounts_table),
                    [
                        {
                            "number": a.number,
                            "name": a.name,
                            "name_folded": fold_text(a.name),
                            "kind": a.kind.value,
                            "currency": a.currency,
                            "places": CURRENCIES[a.currency],
                            "grp": a.group,
                            "opening_limit_minor": _minor(a.limit, a.currency, "limit"),
                            "limit_minor": _minor(a.limit, a.currency, "limit"),
                            "balance_minor": 0,
                            "revision": 0,
                            "data": account_to_json(a),
                        }
                        for a in batch
                    ],
                )
                tags = [{"number": a.number, "tag": t} for a in batch for t in sorted(a.tags)]
                if tags:
                    conn.execute(sa.insert(account_tags), tags)
        except IntegrityError:
            # Another writer opened one of these numbers between our check and insert.
            raise duplicate_account(batch[0], None) from None

    def update_account(self, account: Account) -> None:
        """Replace name, group, tags and billing details of an existing account."""
        with _WriteTransaction(self.engine) as conn:
            row = self._lock_accounts(conn, [account.number]).get(account.number)
            if row is None:
                raise unknown_account(account.number)
            check_account_update(account_from_json(row.data), account)
            conn.execute(
                sa.update(accounts)
                .where(accounts.c.number == account.number)
                .values(
                    name=account.name,
                    name_folded=fold_text(account.name),
                    grp=account.group,
                    data=account_to_json(account),
                    revision=accounts.c.revision + 1,
                )
            )
            conn.execute(sa.delete(account_tags).where(account_tags.c.number == account.number))
            if account.tags:
                conn.execute(
                    sa.insert(account_tags),
                    [{"number": account.number, "tag": t} for t in sorted(account.tags)],
                )

    def get_account(self, number: str) -> Account:
        """The account with ``number``; `UnknownAccount` if there is none."""
        with self.engine.connect() as conn:
            data = conn.execute(
                sa.select(accounts.c.data).where(accounts.c.number == number)
            ).scalar_one_or_none()
        if data is None:
            raise unknown_account(number)
        return account_from_json(data)

    def states(
        self, numbers: Iterable[str], at: dt.datetime | None = None
    ) -> dict[str, AccountState]:
        """Balance, limit and revision of each known account, at ``at`` or now."""
        wanted = sorted(set(numbers))
        result: dict[str, AccountState] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(wanted):
                rows = conn.execute(sa.select(accounts).where(accounts.c.number.in_(chunk)))
                if at is None:
                    for row in rows:
                        result[row.number] = self._state(row)
                    continue
                at_us = _to_us(at)
                booked = dict(
                    conn.execute(
                        sa.select(transactions.c.account, sa.func.sum(transactions.c.amount_minor))
                        .where(transactions.c.account.in_(chunk), transactions.c.at_us < at_us)
                        .group_by(transactions.c.account)
                    ).all()
                )
                mutated = {
                    r.account: r
                    for r in conn.execute(
                        sa.select(
                            mutations.c.account,
                            sa.func.sum(mutations.c.balance_delta_minor).label("balance"),
                            sa.func.sum(mutations.c.limit_delta_minor).label("limit"),
                            sa.func.count().label("booked"),
                        )
                        .where(mutations.c.account.in_(chunk), mutations.c.at_us < at_us)
                        .group_by(mutations.c.account)
                    )
                }
                for row in rows:
                    m = mutated.get(row.number)
                    balance = int(booked.get(row.number) or 0) + int(m.balance if m else 0)
                    limit = row.opening_limit_minor + int(m.limit if m else 0)
                    result[row.number] = AccountState(
                        account=account_from_json(row.data),
                        balance=from_minor(balance, row.places),
                        limit=from_minor(limit, row.places),
                        revision=int(m.booked) if m else 0,
                    )
        return {n: result[n] for n in wanted if n in result}

    def find_accounts(self, query: AccountQuery) -> list[AccountState]:
        """The accounts matching ``query``, sorted by number; filtered in SQL."""
        conditions: list[Any] = []
        if query.numbers is not None:
            if not query.numbers:
                return []
            conditions.append(accounts.c.number.in_(sorted(query.numbers)))
        if query.kind is not None:
            conditions.append(accounts.c.kind == query.kind.value)
        if query.group is not None:
            conditions.append(accounts.c.grp == query.group)
        if query.tag is not None:
            conditions.append(
                sa.exists().where(
                    account_tags.c.number == accounts.c.number, account_tags.c.tag == query.tag
                )
            )
        if query.name is not None:
            pattern = (
                fold_text(query.name).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            )
            conditions.append(accounts.c.name_folded.like(f"%{pattern}%", escape="\\"))
        if query.balance is not None:
            conditions.append(_balance_condition(query.balance.op, query.balance.value))
        statement = (
            sa.select(accounts).where(*conditions).order_by(self._bytewise(accounts.c.number))
        )
        with self.engine.connect() as conn:
            return [self._state(row) for row in conn.execute(statement)]

    # -- bookings -----------------------------------------------------------------------

    def record(self, transaction: Transaction, *, allow_over_limit: bool = False) -> None:
        """Store a booking after checking account, id, currency and spending room."""
        self.record_many([transaction], allow_over_limit=allow_over_limit)

    def record_many(
        self, transactions: Iterable[Transaction], *, allow_over_limit: bool = False
    ) -> int:
        """Store bookings in order, in one transaction: all of them, or none."""
        batch = list(transactions)
        if not batch:
            return 0
        try:
            with _storing(_what(batch)), _WriteTransaction(self.engine) as conn:
                rows = self._lock_accounts(conn, {t.account for t in batch})
                taken: set[str] = set()
                for chunk in _chunks(sorted({t.id for t in batch})):
                    taken.update(
                        conn.execute(
                            sa.select(transactions_table.c.id).where(
                                transactions_table.c.id.in_(chunk)
                            )
                        ).scalars()
                    )
                states = {n: self._state(row) for n, row in rows.items()}
                deltas: dict[str, int] = {}
                heads: list[dict[str, Any]] = []
                line_rows: list[dict[str, Any]] = []
                for tx in batch:
                    state = states.get(tx.account)
                    if state is None:
                        raise unknown_account(tx.account)
                    if tx.id in taken:
                        raise duplicate_transaction(tx)
                    taken.add(tx.id)
                    check_booking(state, tx, allow_over_limit)
                    states[tx.account] = attrs.evolve(state, balance=state.balance + tx.amount)
                    amount = _minor(tx.amount, state.account.currency, "amount")
                    deltas[tx.account] = deltas.get(tx.account, 0) + amount
                    heads.append(_transaction_row(tx, amount))
                    if isinstance(tx, Purchase):
                        line_rows.extend(_line_rows(tx, CURRENCIES[tx.currency]))
                conn.execute(sa.insert(transactions_table), heads)
                if line_rows:
                    conn.execute(sa.insert(lines), line_rows)
                for number, delta in sorted(deltas.items()):
                    conn.execute(
                        sa.update(accounts)
                        .where(accounts.c.number == number)
                        .values(balance_minor=accounts.c.balance_minor + delta)
                    )
        except IntegrityError:
            # A concurrent till recorded one of these ids between our check and insert:
            # name the one it took.
            raise duplicate_transaction(self._first_taken(batch)) from None
        return len(batch)

    def _first_taken(self, batch: list[Transaction]) -> Transaction:
        """The first booking of ``batch`` whose id is stored already (else the first)."""
        taken: set[str] = set()
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted({t.id for t in batch})):
                taken.update(
                    conn.execute(
                        sa.select(transactions.c.id).where(transactions.c.id.in_(chunk))
                    ).scalars()
                )
        return next((t for t in batch if t.id in taken), batch[0])

    def book(self, mutation: Mutation) -> None:
        """Store a manual correction or limit change."""
        with _storing(_what([mutation])), _WriteTransaction(self.engine) as conn:
            row = self._lock_accounts(conn, [mutation.account]).get(mutation.account)
            if row is None:
                raise unknown_account(mutation.account)
            check_mutation(self._state(row), mutation)
            self._apply(conn, [(mutation, row.currency)])

    def set_limit(
        self,
        number: str,
        limit: Decimal,
        *,
        expected: Decimal | None,
        actor: str,
        at: dt.datetime,
        reason: str,
    ) -> Mutation:
        """Set the limit to ``limit`` with the account row locked, refusing a stale one."""
        with _WriteTransaction(self.engine) as conn:
            # Locked (PostgreSQL) or under the write lock (SQLite) until the commit, so
            # the limit read here is the one the mutation moves from.
            row = self._lock_accounts(conn, [number]).get(number)
            if row is None:
                raise unknown_account(number)
            mutation = limit_change(
                account_from_json(row.data),
                from_minor(row.limit_minor, row.places),
                limit,
                expected=expected,
                actor=actor,
                at=at,
                reason=reason,
            )
            check_mutation(self._state(row), mutation)
            self._apply(conn, [(mutation, row.currency)])
        return mutation

    def transactions(
        self,
        numbers: Iterable[str],
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        *,
        uninvoiced: bool | None = None,
    ) -> Iterator[Transaction]:
        """Bookings of ``numbers`` with ``start <= at < end``, streamed in order."""
        wanted = sorted(set(numbers))
        return self._stream(wanted, start, end, uninvoiced)

    def _stream(
        self,
        wanted: list[str],
        start: dt.datetime | None,
        end: dt.datetime | None,
        uninvoiced: bool | None,
    ) -> Iterator[Transaction]:
        t = transactions
        for chunk in _chunks(wanted):
            conditions: list[Any] = [t.c.account.in_(chunk)]
            if start is not None:
                conditions.append(t.c.at_us >= _to_us(start))
            if end is not None:
                conditions.append(t.c.at_us < _to_us(end))
            if uninvoiced is True:
                conditions.append(t.c.invoice_id.is_(None))
            elif uninvoiced is False:
                conditions.append(t.c.invoice_id.is_not(None))
            yield from self._select_transactions(t, *conditions)

    def _select_transactions(
        self, source: Any, *conditions: Any, conn: Connection | None = None
    ) -> Iterator[Transaction]:
        """Stream the bookings matching ``conditions``, each with its lines, in order."""
        t, ln = transactions, lines
        query = (
            sa.select(
                t.c.id,
                t.c.account,
                t.c.at_us,
                t.c.kind,
                t.c.currency,
                t.c.amount_minor,
                t.c.text,
                ln.c.product,
                ln.c.code,
                ln.c.grp,
                ln.c.quantity,
                ln.c.unit_price,
                ln.c.vat_category,
                ln.c.vat_rate,
                ln.c.vat_reason,
            )
            .select_from(source.outerjoin(ln, ln.c.transaction_id == t.c.id))
            .where(*conditions)
            .order_by(
                self._bytewise(t.c.account), t.c.at_us, self._bytewise(t.c.id), ln.c.position
            )
        )
        decode = _Decoder().transaction
        # On a connection the caller holds, or one of its own: an in-memory SQLite
        # database has a single connection, which cannot be opened twice.
        with contextlib.nullcontext(conn) if conn is not None else self.engine.connect() as held:
            result = held.execution_options(stream_results=True, yield_per=2000).execute(query)
            head: Any = None
            group: list[Any] = []
            for row in result:
                if head is not None and row[0] != head[0]:
                    yield decode(head, group)
                    group = []
                if head is None or row[0] != head[0]:
                    head = row
                if row[7] is not None:
                    group.append(row)
            if head is not None:
                yield decode(head, group)

    def _id_list(self, column: Any) -> Any:
        """An aggregate of ``column``'s ids per group; `_ids` reads it back."""
        if self._postgres:
            return sa.func.array_agg(column)
        # NUL never occurs in ids (Transaction refuses it), so it separates them safely.
        return sa.func.group_concat(column, sa.literal("\x00"))

    def _ids(self, value: Any) -> list[str]:
        if self._postgres:
            return list(value)
        return str(value).split("\x00")

    def statement_totals(self, numbers: Sequence[str], period: Period) -> Iterator[AccountTotals]:
        """What each of ``numbers`` booked in ``period`` that no invoice holds, summed in SQL.

        The database groups per account and business day, and per account and product
        line, over the minor units stored per line; Python only turns the few grouped
        rows into values. Each account is read once, a few hundred accounts per query.
        """
        t, ln = transactions, lines
        dates = period.days()
        day = _day_of(t.c.at_us, [_to_us(b) for b in period.day_bounds()])
        decoder = _Decoder()
        amounts: dict[tuple[int, str], Decimal] = {}

        def amount_of(minor: int, currency: str) -> Decimal:
            # Few distinct amounts recur across a plan's days and products.
            value = amounts.get((minor, currency))
            if value is None:
                value = amounts[minor, currency] = from_minor(minor, CURRENCIES[currency])
            return value

        wanted = sorted(set(numbers))
        with self.engine.connect() as conn:
            for chunk in _chunks(wanted):
                kept = dict(
                    conn.execute(
                        sa.select(accounts.c.number, accounts.c.currency).where(
                            accounts.c.number.in_(chunk)
                        )
                    ).all()
                )
                free = (
                    t.c.account.in_(chunk),
                    t.c.at_us >= _to_us(period.start),
                    t.c.at_us < _to_us(period.end),
                    t.c.invoice_id.is_(None),
                )
                purchases = (*free, t.c.kind == "purchase")
                # Per account, day and currency: the total, the count and the ids.
                days: dict[str, list[DayTotal]] = {}
                ids: dict[str, list[str]] = {}
                foreign: dict[str, list[tuple[str, str]]] = {}
                for number, index, currency, amount, count, found in conn.execute(
                    sa.select(
                        t.c.account,
                        day,
                        t.c.currency,
                        sa.func.sum(t.c.amount_minor),
                        sa.func.count(),
                        self._id_list(t.c.id),
                    )
                    .where(*purchases)
                    .group_by(t.c.account, day, t.c.currency)
                ):
                    if currency != kept[number]:
                        foreign.setdefault(number, []).extend(
                            (i, currency) for i in self._ids(found)
                        )
                        continue
                    ids.setdefault(number, []).extend(self._ids(found))
                    # Purchases are stored as negative amounts; a statement shows what they bill.
                    days.setdefault(number, []).append(
                        DayTotal(dates[index], amount_of(-int(amount), currency), int(count))
                    )
                # Per account and product line, merged by the texts stored before any value
                # is built: one ProductTotal per row of the statement, not per grouped row.
                lines_of: dict[str, dict[tuple[Any, ...], list[Any]]] = {}
                grouped = (
                    t.c.account,
                    t.c.currency,
                    ln.c.product,
                    ln.c.code,
                    ln.c.grp,
                    ln.c.unit_price,
                    ln.c.vat_category,
                    ln.c.vat_rate,
                    ln.c.vat_reason,
                    ln.c.quantity,
                )
                for row in conn.execute(
                    sa.select(*grouped, sa.func.count(), sa.func.sum(ln.c.amount_minor))
                    .select_from(t.join(ln, ln.c.transaction_id == t.c.id))
                    .where(*purchases)
                    .group_by(*grouped)
                ):
                    number, currency = row[0], row[1]
                    if currency != kept[number]:
                        continue
                    key = row[2:9]
                    slot = lines_of.setdefault(number, {}).get(key)
                    quantity = decoder.decimal(row[9]) * row[10]
                    if slot is None:
                        lines_of[number][key] = [quantity, int(row[11])]
                    else:
                        slot[0] += quantity
                        slot[1] += int(row[11])
                products: dict[str, list[ProductTotal]] = {
                    number: [
                        ProductTotal(
                            product,
                            code,
                            group,
                            decoder.decimal(price),
                            decoder.vat(category, rate, reason),
                            quantity,
                            amount_of(amount, kept[number]),
                        )
                        for (product, code, group, price, category, rate, reason), (
                            quantity,
                            amount,
                        ) in found.items()
                    ]
                    for number, found in lines_of.items()
                }
                credits: dict[str, list[CreditBooking]] = {}
                others = self._select_transactions(t, *free, t.c.kind != "purchase", conn=conn)
                for booking in others:
                    if booking.currency != kept[booking.account]:
                        foreign.setdefault(booking.account, []).append(
                            (booking.id, booking.currency)
                        )
                    elif isinstance(booking, CreditBooking):
                        credits.setdefault(booking.account, []).append(booking)
                for number in chunk:
                    if number in ids or number in foreign or number in credits:
                        yield AccountTotals(
                            account=number,
                            days=days.get(number, ()),
                            products=products.get(number, ()),
                            ids=ids.get(number, ()),
                            credits=credits.get(number, ()),
                            foreign=foreign.get(number, ()),
                        )

    def uninvoiced_before(
        self, numbers: Iterable[str], before: dt.datetime
    ) -> dict[str, tuple[int, Decimal, dt.datetime]]:
        """Count, total and oldest instant of uninvoiced purchases, summed in SQL."""
        t = transactions
        result: dict[str, tuple[int, Decimal, dt.datetime]] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(numbers))):
                query = (
                    sa.select(
                        t.c.account,
                        sa.func.count(),
                        sa.func.sum(t.c.amount_minor),
                        sa.func.min(t.c.at_us),
                        accounts.c.places,
                    )
                    .join(accounts, accounts.c.number == t.c.account)
                    .where(
                        t.c.account.in_(chunk),
                        t.c.kind == "purchase",
                        t.c.invoice_id.is_(None),
                        t.c.at_us < _to_us(before),
                    )
                    .group_by(t.c.account, accounts.c.places)
                )
                for number, count, amount, oldest, places in conn.execute(query):
                    # Purchases are stored as negative amounts; the warning shows what they bill.
                    result[number] = (count, from_minor(-int(amount), places), _from_us(oldest))
        return result

    # -- runs ---------------------------------------------------------------------------

    def commit_run(self, run: InvoiceRun, revisions: Mapping[str, int]) -> InvoiceRun:
        """Write ``run`` in one database transaction, or raise `RunConflict`.

        A run stored under the key already is answered with, found inside the same
        transaction; the unique index on the key catches a commit that stored it since.
        """
        try:
            with _WriteTransaction(self.engine) as conn:
                holder = self._key_holder(conn, run.key)
                if holder is None:
                    self._commit(conn, run, revisions)
        except IntegrityError:
            # Lost a race for the key: the winner's run is the answer.
            if run.key is None:
                raise
            with self.engine.connect() as conn:
                holder = self._key_holder(conn, run.key)
            if holder is None:
                raise
        return run if holder is None else self.run(holder)

    @staticmethod
    def _key_holder(conn: Connection, key: str | None) -> str | None:
        """The id of the run stored under ``key``, if any."""
        if key is None:
            return None
        found: str | None = conn.execute(
            sa.select(runs.c.id).where(runs.c.key == key)
        ).scalar_one_or_none()
        return found

    def _commit(self, conn: Connection, run: InvoiceRun, revisions: Mapping[str, int]) -> None:
        # The run row goes first: a second commit under the same key waits on its unique
        # index and then fails, instead of failing on the accounts the first one moved.
        period = run.period
        conn.execute(
            sa.insert(runs).values(
                id=run.id,
                key=run.key,
                period_first=period.first.isoformat(),
                period_last=period.last.isoformat(),
                tz=period.tz,
                day_starts_at=period.day_starts_at.isoformat(),
                strategy=run.strategy,
                actor=run.actor,
                created_at_us=_to_us(run.created_at),
                fingerprint=run.fingerprint,
                currency=run.currency,
                selected=json.dumps(list(run.selected)),
            )
        )
        rows = self._lock_accounts(conn, [i.account.number for i in run.invoices])
        for invoice in run.invoices:
            number = invoice.account.number
            row = rows.get(number)
            if row is None:
                raise unknown_account(number)
            expected = revisions.get(number)
            if expected is not None and row.revision != expected:
                raise changed_since_planned(run, invoice.account, expected, row.revision)
        if not run.invoices:
            return
        records = (
            {
                "id": invoice.id,
                "run_id": run.id,
                "position": position,
                "account": invoice.account.number,
                "account_data": account_to_json(invoice.account),
                "balance_before_minor": _minor(
                    invoice.balance_before, invoice.account.currency, "balance"
                ),
                "limit_before_minor": _minor(
                    invoice.limit_before, invoice.account.currency, "limit"
                ),
                "balance_delta_minor": _minor(
                    invoice.correction.balance_delta, invoice.account.currency, "balance delta"
                ),
                "limit_delta_minor": _minor(
                    invoice.correction.limit_delta, invoice.account.currency, "limit delta"
                ),
                "mutation_id": None if invoice.mutation is None else invoice.mutation.id,
                "state": invoice.state.value,
                "statement_data": statement_to_json(invoice.statement),
            }
            for position, invoice in enumerate(run.invoices)
        )
        # In batches, here and below: ten thousand invoices' statements or a million links
        # at once would cost hundreds of MB.
        while batch := list(itertools.islice(records, 1_000)):
            conn.execute(sa.insert(invoices), batch)
        self._link(conn, run)
        self._apply(
            conn,
            [(i.mutation, i.account.currency) for i in run.invoices if i.mutation is not None],
        )

    def _link(self, conn: Connection, run: InvoiceRun) -> None:
        """Link each invoice's planned purchases to it, set-based, exactly.

        One UPDATE per account takes the account's free purchases in the period; a read
        back compares them with the planned ones. Purchases recorded inside the period
        since planning go free again; planned ones another run took meanwhile are a
        `RunConflict`, and the caller's transaction writes nothing.
        """
        t = transactions
        period = run.period
        conn.execute(
            sa.update(t)
            .where(
                t.c.account == sa.bindparam("b_account"),
                t.c.at_us >= _to_us(period.start),
                t.c.at_us < _to_us(period.end),
                t.c.kind == "purchase",
                t.c.invoice_id.is_(None),
            )
            .values(invoice_id=sa.bindparam("b_invoice")),
            [{"b_account": i.account.number, "b_invoice": i.id} for i in run.invoices],
        )
        linked: dict[str, set[str]] = {i.id: set() for i in run.invoices}
        for invoice_id, found in conn.execute(
            sa.select(t.c.invoice_id, self._id_list(t.c.id))
            .where(t.c.invoice_id.in_(sa.select(invoices.c.id).where(invoices.c.run_id == run.id)))
            .group_by(t.c.invoice_id)
        ):
            linked[invoice_id] = set(self._ids(found))
        unplanned: list[str] = []
        for invoice in run.invoices:
            planned = invoice.transaction_ids()
            got = linked[invoice.id]
            if got == planned:
                continue
            missing = planned - got
            if missing:
                raise invoiced_meanwhile(run, invoice.account, missing)
            unplanned.extend(got - planned)
        for chunk in _chunks(sorted(unplanned)):
            conn.execute(sa.update(t).where(t.c.id.in_(chunk)).values(invoice_id=None))

    def undo_invoice(
        self,
        run_id: str,
        account: str,
        *,
        mutation: Mutation | None,
        at: dt.datetime,
        actor: str,
        reason: str,
    ) -> AccountInvoice:
        """Mark an account invoice undone, book ``mutation`` and free its purchases."""
        with _WriteTransaction(self.engine) as conn:
            rows = self._lock_accounts(conn, [account])
            query = sa.select(invoices).where(
                invoices.c.run_id == run_id, invoices.c.account == account
            )
            row = conn.execute(query.with_for_update() if self._postgres else query).first()
            if row is None:
                raise self._unknown_invoice(conn, run_id, account)
            if row.state == InvoiceState.UNDONE.value:
                raise already_undone(
                    run_id,
                    account_from_json(row.account_data),
                    _from_us(row.undone_at_us),
                    row.undone_by,
                )
            conn.execute(
                sa.update(invoices)
                .where(invoices.c.id == row.id)
                .values(
                    state=InvoiceState.UNDONE.value,
                    undo_mutation_id=None if mutation is None else mutation.id,
                    undone_at_us=_to_us(at),
                    undone_by=actor,
                    undo_reason=reason,
                )
            )
            # The undone invoice keeps its purchases in the audit trail; they go free.
            conn.execute(
                sa.insert(invoice_items).from_select(
                    ["invoice_id", "transaction_id"],
                    sa.select(sa.literal(row.id), transactions.c.id).where(
                        transactions.c.invoice_id == row.id
                    ),
                )
            )
            conn.execute(
                sa.update(transactions)
                .where(transactions.c.invoice_id == row.id)
                .values(invoice_id=None)
            )
            if mutation is not None:
                self._apply(conn, [(mutation, rows[account].currency)])
        return self.invoice(run_id, account)

    def _unknown_invoice(self, conn: Connection, run_id: str, account: str) -> UnknownRun:
        known = conn.execute(sa.select(runs.c.id).where(runs.c.id == run_id)).first()
        if known is None:
            return unknown_run(run_id)
        return no_invoice_for(run_id, account)

    def _load_runs(self, *conditions: Any, account: str | None = None) -> list[InvoiceRun]:
        """The runs matching ``conditions``; with ``account``, each with its invoice only."""
        mine: tuple[Any, ...] = () if account is None else (invoices.c.account == account,)
        if account is not None:
            conditions = (
                *conditions,
                runs.c.id.in_(sa.select(invoices.c.run_id).where(*mine)),
            )
        with self.engine.connect() as conn:
            run_rows = conn.execute(
                sa.select(runs).where(*conditions).order_by(runs.c.created_at_us, runs.c.id)
            ).all()
            if not run_rows:
                return []
            run_ids = [r.id for r in run_rows]
            invoice_rows: dict[str, list[Any]] = {r: [] for r in run_ids}
            for chunk in _chunks(run_ids):
                for row in conn.execute(
                    sa.select(invoices)
                    .where(invoices.c.run_id.in_(chunk), *mine)
                    .order_by(invoices.c.run_id, invoices.c.position)
                ):
                    invoice_rows[row.run_id].append(row)
            mutation_ids = [
                m
                for rows in invoice_rows.values()
                for row in rows
                for m in (row.mutation_id, row.undo_mutation_id)
                if m is not None
            ]
            by_id = {
                m.id: m for m in self._mutations_where(conn, mutations.c.id.in_(mutation_ids))
            }
        result = []
        # One reader for all, so an export reads many invoices' purchases per query.
        reader = self._read_invoices
        for run_row in run_rows:
            period = period_from_row(
                run_row.period_first, run_row.period_last, run_row.tz, run_row.day_starts_at
            )
            built = []
            for row in invoice_rows[run_row.id]:
                invoiced = account_from_json(row.account_data)
                places = CURRENCIES[invoiced.currency]
                built.append(
                    AccountInvoice(
                        id=row.id,
                        run_id=run_row.id,
                        statement=statement_from_json(
                            row.statement_data, invoiced, period, BatchSource(reader, row.id)
                        ),
                        balance_before=from_minor(row.balance_before_minor, places),
                        limit_before=from_minor(row.limit_before_minor, places),
                        correction=Correction(
                            from_minor(row.balance_delta_minor, places),
                            from_minor(row.limit_delta_minor, places),
                        ),
                        mutation=by_id.get(row.mutation_id),
                        state=InvoiceState(row.state),
                        undo_mutation=by_id.get(row.undo_mutation_id),
                        undone_at=None if row.undone_at_us is None else _from_us(row.undone_at_us),
                        undone_by=row.undone_by,
                        undo_reason=row.undo_reason,
                    )
                )
            result.append(
                InvoiceRun(
                    id=run_row.id,
                    key=run_row.key,
                    period=period,
                    strategy=run_row.strategy,
                    actor=run_row.actor,
                    created_at=_from_us(run_row.created_at_us),
                    invoices=tuple(built),
                    fingerprint=run_row.fingerprint,
                    currency=run_row.currency,
                    selected=tuple(json.loads(run_row.selected or "[]")),
                )
            )
        return result

    def _read_invoices(self, invoice_ids: Sequence[str]) -> Iterator[Transaction]:
        """The purchases of account invoices, active or undone, a query per few hundred."""
        t = transactions
        wanted = sorted(set(invoice_ids))
        for chunk in _chunks(wanted):
            seen: set[str] = set()
            for tx in self._select_transactions(t, t.c.invoice_id.in_(chunk)):
                seen.add(tx.account)
                yield tx
            # An undone invoice's purchases went free; its items table keeps them.
            if len(seen) < len(chunk):
                undone = t.join(invoice_items, invoice_items.c.transaction_id == t.c.id)
                yield from self._select_transactions(undone, invoice_items.c.invoice_id.in_(chunk))

    def run(self, run_id: str) -> InvoiceRun:
        """The run with ``run_id``; `UnknownRun` if there is none."""
        found = self._load_runs(runs.c.id == run_id)
        if not found:
            raise unknown_run(run_id)
        return found[0]

    def run_by_key(self, key: str) -> InvoiceRun | None:
        """The run committed under idempotency ``key``, if any."""
        found = self._load_runs(runs.c.key == key)
        return found[0] if found else None

    def invoice(self, run_id: str, account: str) -> AccountInvoice:
        """One account invoice of run ``run_id``, read alone; `UnknownRun` if there is none."""
        found = self._load_runs(runs.c.id == run_id, account=account)
        if found:
            return found[0].invoices[0]
        with self.engine.connect() as conn:
            known = conn.execute(sa.select(runs.c.id).where(runs.c.id == run_id)).first()
        raise no_invoice_for(run_id, account) if known else unknown_run(run_id)

    def runs(
        self,
        *,
        account: str | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
    ) -> list[InvoiceRun]:
        """Runs matching every given filter, oldest first, filtered in SQL."""
        conditions = []
        if start is not None:
            conditions.append(runs.c.created_at_us >= _to_us(start))
        if end is not None:
            conditions.append(runs.c.created_at_us < _to_us(end))
        return self._load_runs(*conditions, account=account)

    def _mutations_where(self, conn: Connection, *conditions: Any) -> list[Mutation]:
        rows = conn.execute(
            sa.select(mutations, accounts.c.places)
            .join(accounts, accounts.c.number == mutations.c.account)
            .where(*conditions)
            .order_by(mutations.c.seq)
        )
        return [
            Mutation(
                id=row.id,
                account=row.account,
                kind=MutationKind(row.kind),
                balance_delta=from_minor(row.balance_delta_minor, row.places),
                limit_delta=from_minor(row.limit_delta_minor, row.places),
                actor=row.actor,
                at=_from_us(row.at_us),
                reason=row.reason,
                run_id=row.run_id,
            )
            for row in rows
        ]

    def mutations(
        self,
        *,
        account: str | None = None,
        run_id: str | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        kind: MutationKind | None = None,
    ) -> list[Mutation]:
        """Mutations matching every given filter, in the order they were booked."""
        conditions: list[Any] = []
        if account is not None:
            conditions.append(mutations.c.account == account)
        if run_id is not None:
            conditions.append(mutations.c.run_id == run_id)
        if start is not None:
            conditions.append(mutations.c.at_us >= _to_us(start))
        if end is not None:
            conditions.append(mutations.c.at_us < _to_us(end))
        if kind is not None:
            conditions.append(mutations.c.kind == kind.value)
        with self.engine.connect() as conn:
            return self._mutations_where(conn, *conditions)


def _day_of(at_us: Any, bounds: Sequence[int]) -> Any:
    """The index of the business day holding ``at_us``, as SQL: a binary search of CASEs.

    ``bounds`` are the period's day bounds in microseconds (DST days are 23 or 25 hours
    long, so days cannot be computed by division). Written as literals, so the database
    sees one expression in SELECT and GROUP BY.
    """

    def within(first: int, last: int) -> Any:
        if last - first == 1:
            return sa.literal_column(str(first), sa.Integer)
        middle = (first + last) // 2
        return sa.case(
            (at_us < sa.literal_column(str(int(bounds[middle]))), within(first, middle)),
            else_=within(middle, last),
        )

    if len(bounds) == 2:
        # A bare number in GROUP BY would be read as a column position.
        return sa.case((at_us < sa.literal_column(str(int(bounds[1]))), within(0, 1)))
    return within(0, len(bounds) - 1)


def _balance_condition(op: str, value: Decimal) -> Any:
    """``balance op value`` in minor units, for every currency precision there is."""
    clauses = []
    for places in sorted(set(CURRENCIES.values())):
        scaled = value.scaleb(places)
        floor, ceil = (
            int(scaled.to_integral_value("ROUND_FLOOR")),
            int(scaled.to_integral_value("ROUND_CEILING")),
        )
        column = accounts.c.balance_minor
        if op == "<":
            clause = column < ceil
        elif op == "<=":
            clause = column <= floor
        elif op == ">":
            clause = column > floor
        elif op == ">=":
            clause = column >= ceil
        elif floor == ceil:
            clause = column == floor
        else:
            clause = sa.false()
        clauses.append(sa.and_(accounts.c.places == places, clause))
    return sa.or_(*clauses)
