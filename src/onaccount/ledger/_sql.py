"""SQLLedger: the Ledger on SQLAlchemy Core, for SQLite files and PostgreSQL.

Amounts are stored as whole minor units (integers), instants as UTC microseconds since
the epoch, unit prices and quantities as exact decimal text. Each account row carries its
running balance, limit and revision, updated in the same database transaction as the
booking that changes them, so filters such as "balance below 0" are indexed queries.

Writes take the account rows they touch with ``SELECT … FOR UPDATE`` on PostgreSQL, in
account-number order so that concurrent writers cannot deadlock; on SQLite every write
transaction begins with ``BEGIN IMMEDIATE``, which takes the database's write lock up
front.

A purchase's link to the invoice that bills it lives in two places. While the invoice
stands, the purchase row's ``invoice_id`` names it: "free" is ``invoice_id IS NULL``, so
plans and commits filter and update purchases set-based, and a purchase can be held by
one active invoice only. When an invoice is undone, its purchases go free
(``invoice_id`` cleared) and ``onaccount_invoice_items`` keeps which ones it billed, so
the undone invoice still reads back with its purchases for the audit trail.

The tables and upgrades are in ``_sql_schema``, the engine set-up in ``_sql_engine`` and
the row codecs in ``_sql_rows``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import operator
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from onaccount._account import Account
from onaccount._errors import (
    SchemaError,
    UnknownRun,
)
from onaccount._invoices import AccountInvoice, InvoiceRun, InvoiceState
from onaccount._money import CURRENCIES
from onaccount._period import Period
from onaccount._query import AccountQuery, AccountState, fold_text
from onaccount._statement import AccountTotals, DayTotal, ProductTotal
from onaccount._strategies import Correction
from onaccount._transaction import (
    CreditBooking,
    Mutation,
    MutationKind,
    Purchase,
    Transaction,
)
from onaccount._words import NAMED
from onaccount.ledger import _sql_schema as schema
from onaccount.ledger._codec import (
    StatementMemo,
    account_from_json,
    account_to_json,
    from_minor,
    period_from_row,
    statement_from_json,
    statement_to_json,
)
from onaccount.ledger._protocol import (
    LedgerConveniences,
    check_booking,
    check_mutation,
    limit_change,
)
from onaccount.ledger._refusals import (
    already_undone,
    changed_since_planned,
    check_account_update,
    checked_instant,
    duplicate_account,
    duplicate_transaction,
    invoiced_meanwhile,
    no_invoice_for,
    unknown_account,
    unknown_run,
)
from onaccount.ledger._sql_engine import WriteTransaction, connect, sqlite_file
from onaccount.ledger._sql_rows import (
    Decoder,
    batch_label,
    chunks,
    day_of,
    from_us,
    line_rows,
    refused_storage,
    stored_minor,
    storing,
    to_us,
    transaction_row,
)
from onaccount.ledger._sql_schema import (
    account_tags,
    accounts,
    check_schema,
    invoice_items,
    invoices,
    lines,
    mutations,
    runs,
    transactions,
    upgrade_command,
)

__all__ = ["SQLLedger"]


class SQLLedger(LedgerConveniences):
    """A `Ledger` in a SQL database: a SQLite file (the embedded default) or PostgreSQL.

    The schema must exist: create or upgrade it explicitly with `upgrade`, or pass
    ``upgrade=True``. A database with a newer schema than this library knows is refused.

    A SQLite file is shared by threads and processes, one writer at a time: a write waits
    up to 30 seconds for another, then raises `LedgerBusy`. An in-memory database
    (``"sqlite://"``, for tests) lives on the connection of the thread that opened it,
    and other threads are refused with `SchemaError`.
    """

    def __init__(self, target: str | Path | Engine, *, upgrade: bool = False) -> None:
        path = None if isinstance(target, Engine) else sqlite_file(target)
        if not upgrade and path is not None and not path.exists():
            # SQLite would create an empty file; a typo should not leave one behind.
            create = upgrade_command(str(path) if "://" not in str(target) else str(target))
            if path.parent.is_dir():
                said = f"does not exist; create it with {create}"
            else:
                said = (
                    f"does not exist, nor does its folder {path.parent}; check the path, "
                    f"or create the folder and then the database with {create}"
                )
            raise SchemaError(f"database file {path} {said}", value=str(path), field="target")
        self.engine = connect(target)
        try:
            if upgrade:
                schema.upgrade(self.engine)
            check_schema(self.engine)
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
        for chunk in chunks(sorted(set(numbers))):
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
                "balance_delta_minor": stored_minor(
                    m.balance_delta, currency, "balance delta", "balance_delta"
                ),
                "limit_delta_minor": stored_minor(
                    m.limit_delta, currency, "limit delta", "limit_delta"
                ),
                "actor": m.actor,
                "at_us": to_us(m.at),
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
                storing(batch_label(batch) if batch else "no accounts"),
                WriteTransaction(self.engine) as conn,
            ):
                existing = self._lock_accounts(conn, seen)
                for account in batch:
                    if account.number in existing:
                        raise duplicate_account(account, existing[account.number].name)
                if not batch:
                    return
                conn.execute(
                    sa.insert(schema.accounts),
                    [
                        {
                            "number": a.number,
                            "name": a.name,
                            "name_folded": fold_text(a.name),
                            "kind": a.kind.value,
                            "currency": a.currency,
                            "places": CURRENCIES[a.currency],
                            "grp": a.group,
                            "opening_limit_minor": stored_minor(a.limit, a.currency, "limit"),
                            "limit_minor": stored_minor(a.limit, a.currency, "limit"),
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
        with WriteTransaction(self.engine) as conn:
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
        checked_instant(at, field="at")
        wanted = sorted(set(numbers))
        result: dict[str, AccountState] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(wanted):
                rows = conn.execute(sa.select(accounts).where(accounts.c.number.in_(chunk)))
                if at is None:
                    for row in rows:
                        result[row.number] = self._state(row)
                    continue
                at_us = to_us(at)
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
            conditions.append(balance_condition(query.balance.op, query.balance.value))
        statement = (
            sa.select(accounts).where(*conditions).order_by(self._bytewise(accounts.c.number))
        )
        with self.engine.connect() as conn:
            return [self._state(row) for row in conn.execute(statement)]

    # -- bookings -----------------------------------------------------------------------

    def record_many(
        self, transactions: Iterable[Transaction], *, allow_over_limit: bool = False
    ) -> int:
        """Store bookings in order, in one transaction: all of them, or none.

        A booking equal to the one stored under its id is a retry, and books nothing.
        """
        batch = list(transactions)
        if not batch:
            return 0
        # A concurrent writer may store one of our ids between our check and our insert
        # (on another account: tills on one account wait for each other's lock). The
        # unique id refuses our insert; checked again, the id is then found stored and
        # compared. Each attempt finds more of the ids stored, or the refusal was about
        # something else and is not retried, so this ends.
        ids = sorted({t.id for t in batch})
        seen: set[str] = set()
        while True:
            try:
                return self._record(batch, allow_over_limit, seen)
            except IntegrityError as error:
                with self.engine.connect() as conn:
                    now = self._taken(conn, ids)
                if now <= seen:
                    raise refused_storage(batch_label(batch), error.orig or error) from None

    def _record(self, batch: list[Transaction], allow_over_limit: bool, seen: set[str]) -> int:
        """One attempt of `record_many`: the bookings not stored yet, checked and stored.

        ``seen`` gets the ids this attempt found stored.
        """
        with storing(batch_label(batch)), WriteTransaction(self.engine) as conn:
            rows = self._lock_accounts(conn, {t.account for t in batch})
            stored = self._stored(conn, [t.id for t in batch])
            seen.update(stored)
            states = {n: self._state(row) for n, row in rows.items()}
            new: dict[str, Transaction] = {}
            deltas: dict[str, int] = {}
            heads: list[dict[str, Any]] = []
            details: list[dict[str, Any]] = []
            for tx in batch:
                state = states.get(tx.account)
                if state is None:
                    raise unknown_account(tx.account)
                held = stored[tx.id] if tx.id in stored else new.get(tx.id)
                if held is not None:
                    if held != tx:
                        raise duplicate_transaction(tx, held, given_twice=tx.id not in stored)
                    continue
                new[tx.id] = tx
                check_booking(state, tx, allow_over_limit)
                states[tx.account] = attrs.evolve(state, balance=state.balance + tx.amount)
                amount = stored_minor(tx.amount, state.account.currency, "amount")
                deltas[tx.account] = deltas.get(tx.account, 0) + amount
                heads.append(transaction_row(tx, amount))
                if isinstance(tx, Purchase):
                    details.extend(line_rows(tx, CURRENCIES[tx.currency]))
            if not heads:
                return 0
            conn.execute(sa.insert(schema.transactions), heads)
            if details:
                conn.execute(sa.insert(lines), details)
            # One statement for all the accounts, in number order like the locks.
            conn.execute(
                sa.update(accounts)
                .where(accounts.c.number == sa.bindparam("b_number"))
                .values(balance_minor=accounts.c.balance_minor + sa.bindparam("b_delta")),
                [{"b_number": n, "b_delta": d} for n, d in sorted(deltas.items())],
            )
        return len(heads)

    def _stored(self, conn: Connection, ids: Sequence[str]) -> dict[str, Transaction]:
        """The bookings stored under ``ids``, read whole only when there are any.

        Tills send new ids, so the common case costs one lookup by primary key.
        """
        taken = sorted(self._taken(conn, ids))
        found: dict[str, Transaction] = {}
        for chunk in chunks(taken):
            query = self._transactions_query(transactions, transactions.c.id.in_(chunk))
            found.update((tx.id, tx) for tx in _decoded(conn.execute(query), Decoder()))
        return found

    def _taken(self, conn: Connection, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are stored, by primary key."""
        taken: set[str] = set()
        for chunk in chunks(sorted(set(ids))):
            taken.update(
                conn.execute(
                    sa.select(transactions.c.id).where(transactions.c.id.in_(chunk))
                ).scalars()
            )
        return taken

    def book(self, mutation: Mutation) -> None:
        """Store a manual correction or limit change."""
        with storing(batch_label([mutation])), WriteTransaction(self.engine) as conn:
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
        with WriteTransaction(self.engine) as conn:
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
        checked_instant(start, field="start")
        checked_instant(end, field="end")
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
        decoder = Decoder()
        for chunk in chunks(wanted):
            conditions: list[Any] = [t.c.account.in_(chunk)]
            if start is not None:
                conditions.append(t.c.at_us >= to_us(start))
            if end is not None:
                conditions.append(t.c.at_us < to_us(end))
            if uninvoiced is True:
                conditions.append(t.c.invoice_id.is_(None))
            elif uninvoiced is False:
                conditions.append(t.c.invoice_id.is_not(None))
            yield from self._select_transactions(t, *conditions, decoder=decoder)

    def _select_transactions(
        self,
        source: Any,
        *conditions: Any,
        conn: Connection | None = None,
        decoder: Decoder | None = None,
    ) -> Iterator[Transaction]:
        """Stream the bookings matching ``conditions``, each with its lines, in order.

        A caller reading in chunks passes one ``decoder`` to all, so equal values are
        shared across them.
        """
        query = self._transactions_query(source, *conditions)
        # On a connection the caller holds, or one of its own: an in-memory SQLite
        # database has a single connection, which cannot be opened twice.
        with contextlib.nullcontext(conn) if conn is not None else self.engine.connect() as held:
            result = held.execution_options(stream_results=True, yield_per=2000).execute(query)
            yield from _decoded(result, decoder or Decoder())

    def _transactions_query(self, source: Any, *conditions: Any) -> Any:
        """The bookings matching ``conditions`` with their lines, a row per line, in order."""
        t, ln = transactions, lines
        return (
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
        day = day_of(t.c.at_us, [to_us(b) for b in period.day_bounds()])
        decoder = Decoder()
        amounts: dict[tuple[int, str], Decimal] = {}

        def amount_of(minor: int, currency: str) -> Decimal:
            # Few distinct amounts recur across a plan's days and products.
            value = amounts.get((minor, currency))
            if value is None:
                value = amounts[minor, currency] = from_minor(minor, CURRENCIES[currency])
            return value

        wanted = sorted(set(numbers))
        with self.engine.connect() as conn:
            for chunk in chunks(wanted):
                kept = dict(
                    conn.execute(
                        sa.select(accounts.c.number, accounts.c.currency).where(
                            accounts.c.number.in_(chunk)
                        )
                    ).all()
                )
                free = (
                    t.c.account.in_(chunk),
                    t.c.at_us >= to_us(period.start),
                    t.c.at_us < to_us(period.end),
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
        checked_instant(before, field="before")
        t = transactions
        result: dict[str, tuple[int, Decimal, dt.datetime]] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(sorted(set(numbers))):
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
                        t.c.at_us < to_us(before),
                    )
                    .group_by(t.c.account, accounts.c.places)
                )
                for number, count, amount, oldest, places in conn.execute(query):
                    # Purchases are stored as negative amounts; the warning shows what they bill.
                    result[number] = (count, from_minor(-int(amount), places), from_us(oldest))
        return result

    # -- runs ---------------------------------------------------------------------------

    def commit_run(self, run: InvoiceRun, revisions: Mapping[str, int]) -> InvoiceRun:
        """Write ``run`` in one database transaction, or raise `RunConflict`.

        A run stored under the key already is answered with, found inside the same
        transaction; the unique index on the key catches a commit that stored it since.
        """
        try:
            with WriteTransaction(self.engine) as conn:
                holder = self._key_holder(conn, run.key)
                if holder is None:
                    run = self._commit(conn, run, revisions)
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

    def _commit(
        self, conn: Connection, run: InvoiceRun, revisions: Mapping[str, int]
    ) -> InvoiceRun:
        """Store ``run``; return it with the balances found under the accounts' lock."""
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
                created_at_us=to_us(run.created_at),
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
            return run
        run = run.with_balances(
            {
                n: (from_minor(r.balance_minor, r.places), from_minor(r.limit_minor, r.places))
                for n, r in rows.items()
            }
        )
        records = (
            {
                "id": invoice.id,
                "run_id": run.id,
                "position": position,
                "account": invoice.account.number,
                "account_data": account_to_json(invoice.account),
                "balance_before_minor": stored_minor(
                    invoice.balance_before, invoice.account.currency, "balance", "balance_before"
                ),
                "limit_before_minor": stored_minor(
                    invoice.limit_before, invoice.account.currency, "limit", "limit_before"
                ),
                "balance_delta_minor": stored_minor(
                    invoice.correction.balance_delta,
                    invoice.account.currency,
                    "balance delta",
                    "correction.balance_delta",
                ),
                "limit_delta_minor": stored_minor(
                    invoice.correction.limit_delta,
                    invoice.account.currency,
                    "limit delta",
                    "correction.limit_delta",
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
        return run

    def _link(self, conn: Connection, run: InvoiceRun) -> None:
        """Link each invoice's planned purchases to it, set-based, exactly.

        One UPDATE per account takes the account's free purchases in the period; a read
        back compares them with the planned ones. Purchases recorded inside the period
        since planning go free again; planned ones another run took meanwhile are a
        `RunConflict`, and the caller's transaction writes nothing. A few hundred
        accounts at a time, so the ids read back never pile up for a whole run.
        """
        t = transactions
        period = run.period
        take = (
            sa.update(t)
            .where(
                t.c.account == sa.bindparam("b_account"),
                t.c.at_us >= to_us(period.start),
                t.c.at_us < to_us(period.end),
                t.c.kind == "purchase",
                t.c.invoice_id.is_(None),
            )
            .values(invoice_id=sa.bindparam("b_invoice"))
        )
        unplanned: list[str] = []
        for page in chunks(run.invoices):
            conn.execute(take, [{"b_account": i.account.number, "b_invoice": i.id} for i in page])
            linked: dict[str, set[str]] = {i.id: set() for i in page}
            for invoice_id, found in conn.execute(
                sa.select(t.c.invoice_id, self._id_list(t.c.id))
                .where(t.c.invoice_id.in_([i.id for i in page]))
                .group_by(t.c.invoice_id)
            ):
                linked[invoice_id] = set(self._ids(found))
            for invoice in page:
                planned = invoice.transaction_ids()
                got = linked[invoice.id]
                if got == planned:
                    continue
                missing = planned - got
                if missing:
                    raise invoiced_meanwhile(run, invoice.account, missing)
                unplanned.extend(got - planned)
        for chunk in chunks(sorted(unplanned)):
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
        with WriteTransaction(self.engine) as conn:
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
                    from_us(row.undone_at_us),
                    row.undone_by,
                    tz=conn.execute(sa.select(runs.c.tz).where(runs.c.id == run_id)).scalar(),
                )
            conn.execute(
                sa.update(invoices)
                .where(invoices.c.id == row.id)
                .values(
                    state=InvoiceState.UNDONE.value,
                    undo_mutation_id=None if mutation is None else mutation.id,
                    undone_at_us=to_us(at),
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

    @staticmethod
    def _unknown_invoice(conn: Connection, run_id: str, account: str) -> UnknownRun:
        """No such run, or one without an invoice for ``account`` (naming a few it has)."""
        known = conn.execute(sa.select(runs.c.id).where(runs.c.id == run_id)).first()
        if known is None:
            return unknown_run(run_id)
        mine = invoices.c.run_id == run_id
        first = conn.execute(
            sa.select(invoices.c.account).where(mine).order_by(invoices.c.position).limit(NAMED)
        ).scalars()
        count = conn.execute(sa.select(sa.func.count()).where(mine)).scalar_one()
        return no_invoice_for(run_id, account, list(first), count)

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
            for chunk in chunks(run_ids):
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
            held = self._invoice_ids(
                conn, [row.id for rows in invoice_rows.values() for row in rows]
            )
        result = []
        # An account invoiced month after month is stored as the same text each time, and
        # a club has a few VAT rates: each is decoded once per read and shared.
        accounts: dict[str, Account] = {}
        memo: StatementMemo = {}
        for run_row in run_rows:
            period = period_from_row(
                run_row.period_first, run_row.period_last, run_row.tz, run_row.day_starts_at
            )
            built = []
            for row in invoice_rows[run_row.id]:
                invoiced = accounts.get(row.account_data)
                if invoiced is None:
                    invoiced = accounts[row.account_data] = account_from_json(row.account_data)
                places = CURRENCIES[invoiced.currency]
                built.append(
                    AccountInvoice(
                        id=row.id,
                        run_id=run_row.id,
                        statement=statement_from_json(
                            row.statement_data, invoiced, period, held.get(row.id, ()), memo=memo
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
                        undone_at=None if row.undone_at_us is None else from_us(row.undone_at_us),
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
                    created_at=from_us(run_row.created_at_us),
                    invoices=tuple(built),
                    fingerprint=run_row.fingerprint,
                    currency=run_row.currency,
                    selected=tuple(json.loads(run_row.selected or "[]")),
                )
            )
        return result

    def _invoice_ids(self, conn: Connection, invoice_ids: Sequence[str]) -> dict[str, list[str]]:
        """The purchase ids each account invoice billed, active or undone, in SQL groups."""
        t, items = transactions, invoice_items
        held: dict[str, list[str]] = {}
        for chunk in chunks(sorted(set(invoice_ids))):
            # While an invoice stands its purchases name it; once undone they went free
            # and the items table keeps which ones it billed.
            for column, where, group in (
                (t.c.id, t.c.invoice_id.in_(chunk), t.c.invoice_id),
                (items.c.transaction_id, items.c.invoice_id.in_(chunk), items.c.invoice_id),
            ):
                for invoice_id, found in conn.execute(
                    sa.select(group, self._id_list(column)).where(where).group_by(group)
                ):
                    held.setdefault(invoice_id, []).extend(self._ids(found))
        return held

    def purchases(self, ids: Collection[str]) -> Iterator[Purchase]:
        """The purchases with ``ids``, account by account, by instant and id.

        A few hundred ids per query, each found by its primary key; the call's purchases
        are then put in the protocol's order.
        """
        t = transactions
        wanted = sorted(set(ids))
        if not wanted:
            return iter(())
        found: list[Purchase] = []
        decoder = Decoder()
        with self.engine.connect() as conn:
            for chunk in chunks(wanted):
                for tx in self._select_transactions(
                    t, t.c.id.in_(chunk), t.c.kind == "purchase", conn=conn, decoder=decoder
                ):
                    if isinstance(tx, Purchase):
                        found.append(tx)
        found.sort(key=_account_order)
        return iter(found)

    def run(self, run_id: str) -> InvoiceRun:
        """The run with ``run_id``; `UnknownRun` if there is none."""
        found = self._load_runs(runs.c.id == run_id)
        if not found:
            raise unknown_run(run_id)
        return found[0]

    def invoice(self, run_id: str, account: str) -> AccountInvoice:
        """One account invoice of run ``run_id``, read alone; `UnknownRun` if there is none."""
        found = self._load_runs(runs.c.id == run_id, account=account)
        if found:
            return found[0].invoices[0]
        with self.engine.connect() as conn:
            raise self._unknown_invoice(conn, run_id, account)

    def runs(
        self,
        *,
        key: str | None = None,
        account: str | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
    ) -> list[InvoiceRun]:
        """Runs matching every given filter, oldest first, filtered in SQL."""
        checked_instant(start, field="start")
        checked_instant(end, field="end")
        conditions = []
        if key is not None:
            conditions.append(runs.c.key == key)
        if start is not None:
            conditions.append(runs.c.created_at_us >= to_us(start))
        if end is not None:
            conditions.append(runs.c.created_at_us < to_us(end))
        return self._load_runs(*conditions, account=account)

    def last_run_period(self) -> Period | None:
        """The period of the run committed last, or None before the first run.

        Read alone, without the run's invoices: what a host takes its time zone and
        business-day start from, so that the next run bills days as the last one did.
        """
        row = self._last_run(
            runs.c.period_first, runs.c.period_last, runs.c.tz, runs.c.day_starts_at
        )
        return None if row is None else period_from_row(*row)

    def last_run_selected(self) -> tuple[str, ...]:
        """The account numbers the run committed last selected (`InvoiceRun.selected`).

        Empty before the first run, and for a run stored before runs kept them.
        """
        row = self._last_run(runs.c.selected)
        return () if row is None else tuple(json.loads(row.selected or "[]"))

    def _last_run(self, *columns: Any) -> Any:
        """``columns`` of the run committed last, or None before the first run."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(*columns).order_by(runs.c.seq.desc()).limit(1)).first()

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
                at=from_us(row.at_us),
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
        checked_instant(start, field="start")
        checked_instant(end, field="end")
        conditions: list[Any] = []
        if account is not None:
            conditions.append(mutations.c.account == account)
        if run_id is not None:
            conditions.append(mutations.c.run_id == run_id)
        if start is not None:
            conditions.append(mutations.c.at_us >= to_us(start))
        if end is not None:
            conditions.append(mutations.c.at_us < to_us(end))
        if kind is not None:
            conditions.append(mutations.c.kind == kind.value)
        with self.engine.connect() as conn:
            return self._mutations_where(conn, *conditions)


# Bytewise, as the database orders texts (what `transactions` gives too): UTF-8 keeps
# code point order, so Python's own order of the texts is that order.
_account_order = operator.attrgetter("account", "at", "id")


def _decoded(result: Iterable[Any], decoder: Decoder) -> Iterator[Transaction]:
    """The bookings of `SQLLedger._transactions_query`'s rows, each with its lines."""
    decode = decoder.transaction
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


def balance_condition(op: str, value: Decimal) -> Any:
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
