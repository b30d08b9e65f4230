"""The SQL ledger's tables, its schema version and the explicit upgrades between versions."""

from __future__ import annotations

import shlex
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from onaccount._errors import (
    SchemaError,
)
from onaccount._money import CURRENCIES, line_amount, minor_unit
from onaccount.ledger._codec import (
    to_minor,
)
from onaccount.ledger._sql_engine import WriteTransaction, connect

__all__ = [
    "SCHEMA_VERSION",
    "account_tags",
    "accounts",
    "check_schema",
    "invoice_items",
    "invoices",
    "lines",
    "metadata",
    "mutations",
    "runs",
    "schema_info",
    "schema_version",
    "transactions",
    "upgrade",
    "upgrade_command",
]

#: The schema version this library writes and reads.
SCHEMA_VERSION = 3

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


def schema_version(target: str | Path | Engine) -> int | None:
    """The schema version stored in the database, or None where there is none yet."""
    engine = connect(target)
    try:
        with engine.connect() as conn:
            return _version(conn)
    except sa.exc.OperationalError:
        # A server that cannot be reached: the host says so in its own words.
        raise
    except sa.exc.DatabaseError as error:
        # SQLite opens any file; only the first read finds it is not a database.
        where = _database_name(engine)
        raise SchemaError(
            f"database {where} cannot be read as one: {error.orig}; check that it names an "
            f"onaccount database, or create a new one with {upgrade_command('NEW.sqlite')}",
            value=where,
            field="target",
        ) from None
    finally:
        if engine is not target:
            # An engine made here from a path or URL is ours to close.
            engine.dispose()


#: The PostgreSQL advisory lock that upgrades take: "onac" in ASCII.
_UPGRADE_LOCK = 0x6F6E6163


def _version(conn: Connection) -> int | None:
    if not sa.inspect(conn).has_table(schema_info.name):
        return None
    version: int | None = conn.execute(sa.select(schema_info.c.version)).scalar_one_or_none()
    return version


def upgrade(target: str | Path | Engine) -> tuple[int | None, int]:
    """Create the schema, or upgrade it to `SCHEMA_VERSION`; returns (before, after).

    Refuses a database whose schema is newer than this library knows.
    """
    engine = connect(target)
    try:
        # Read first outside the transaction, where a file that is no database is named.
        schema_version(engine)
        with WriteTransaction(engine) as conn:
            if conn.dialect.name == "postgresql":
                # Workers starting at once: the first creates, the rest wait and find it made.
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_UPGRADE_LOCK)))
            # Read under the lock (on SQLite the immediate transaction's); a statement
            # there sees the winner's schema at READ COMMITTED, PostgreSQL's default.
            before = _version(conn)
            if before is not None and before > SCHEMA_VERSION:
                raise _too_new(before)
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


def _add_run_fingerprints(conn: Connection) -> None:
    """Version 1 to 2: runs keep what their key is bound to; older runs have none."""
    for name in ("fingerprint", "currency", "selected"):
        column = runs.c[name]
        kind = column.type.compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE {runs.name} ADD COLUMN {name} {kind}")


def _add_line_amounts(conn: Connection) -> None:
    """Version 2 to 3: lines keep their amount in minor units; the invoice index is partial."""
    conn.exec_driver_sql(
        f"ALTER TABLE {lines.name} ADD COLUMN amount_minor BIGINT NOT NULL DEFAULT 0"
    )
    update = (
        sa.update(lines)
        .where(
            lines.c.transaction_id == sa.bindparam("b_tx"),
            lines.c.position == sa.bindparam("b_pos"),
        )
        .values(amount_minor=sa.bindparam("b_amount"))
    )
    page = (
        sa.select(
            lines.c.transaction_id,
            lines.c.position,
            lines.c.quantity,
            lines.c.unit_price,
            transactions.c.currency,
        )
        .join(transactions, transactions.c.id == lines.c.transaction_id)
        .order_by(lines.c.transaction_id, lines.c.position)
        .limit(5_000)
    )
    # Page by key, a few thousand lines at a time: a ledger of millions of lines is
    # upgraded in bounded memory, and no cursor is open over the rows being updated.
    after: tuple[str, int] | None = None
    while True:
        query = page
        if after is not None:
            query = page.where(sa.tuple_(lines.c.transaction_id, lines.c.position) > after)
        rows = conn.execute(query).all()
        if not rows:
            break
        conn.execute(
            update,
            [
                {
                    "b_tx": tx_id,
                    "b_pos": position,
                    "b_amount": to_minor(
                        line_amount(Decimal(quantity), Decimal(price), minor_unit(currency)),
                        CURRENCIES[currency],
                    ),
                }
                for tx_id, position, quantity, price, currency in rows
            ],
        )
        after = (rows[-1].transaction_id, rows[-1].position)
    index = next(i for i in transactions.indexes if i.name == "ix_onaccount_transactions_invoice")
    conn.exec_driver_sql(f"DROP INDEX {index.name}")
    index.create(conn)


# The step from each version to the next, run in order by `upgrade`.
_STEPS = {1: _add_run_fingerprints, 2: _add_line_amounts}


def _too_new(found: int) -> SchemaError:
    return SchemaError(
        f"the database has onaccount schema version {found}, newer than version "
        f"{SCHEMA_VERSION} that this onaccount knows; upgrade the onaccount package",
        value=found,
        field="schema_version",
    )


def _database_name(engine: Engine) -> str:
    """The database as refusals name it: a SQLite file's path, else the URL without password."""
    if engine.dialect.name == "sqlite" and engine.url.database:
        return engine.url.database
    return engine.url.render_as_string(hide_password=True)


def upgrade_command(where: str) -> str:
    """How to create or upgrade the schema of database ``where``, as refusals say it."""
    # A URL is shown without its password; the command needs it back in its place.
    target = where.replace(":***@", ":PASSWORD@")
    command = f"onaccount --db {shlex.quote(target)} db upgrade"
    return f"`{command}` (from Python: onaccount.ledger.sql.upgrade({target!r}))"


def check_schema(engine: Engine) -> None:
    """Refuse a database without the schema, or with one older or newer than ours."""
    found = schema_version(engine)
    where = _database_name(engine)
    if found is None:
        raise SchemaError(
            f"database {where} has no onaccount schema; create it with {upgrade_command(where)}",
            value=where,
            field="schema_version",
        )
    if found > SCHEMA_VERSION:
        raise _too_new(found)
    if found < SCHEMA_VERSION:
        raise SchemaError(
            f"database {where} has onaccount schema version {found}, older than version "
            f"{SCHEMA_VERSION} that this onaccount writes; back it up, then upgrade it with "
            f"{upgrade_command(where)}",
            value=found,
            field="schema_version",
        )
