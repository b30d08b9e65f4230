"""Run every benchmark scenario beside its baseline, in one process, interleaved.

    python -m benchmarks.run                      # the small size CI runs
    python -m benchmarks.run --purchases 1000000 --accounts 10000 --json results.json

Times are the median of ``--rounds`` rounds; in each round the library's side and the
baseline run one after the other, so both see the same machine. Peak memory is measured
in a fresh child process per side (its peak resident set size), and the scaling checks
run the whole job at two sizes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import json
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks import baselines
from benchmarks.data import PERIOD, accounts, purchases
from onaccount import AccountQuery, Actor, MemoryLedger, commit_run, plan_run
from onaccount.exporting import load_exporters
from onaccount.ledger.sql import SQLLedger, upgrade

ADMIN = Actor.superuser("bench")


def _timed(func: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def _interleave(
    ours: Callable[[], object],
    baseline: Callable[[], object],
    rounds: int,
    prepare: Callable[[], None] = lambda: None,
) -> tuple[float, float]:
    ours_times, base_times = [], []
    for _ in range(rounds):
        prepare()
        ours_times.append(_timed(ours))
        prepare()
        base_times.append(_timed(baseline))
    return statistics.median(ours_times), statistics.median(base_times)


def seed_sqlite(path: Path, n_accounts: int, m: int) -> None:
    """A SQLite ledger at ``path`` with the generated accounts and purchases."""
    upgrade(path)
    ledger = SQLLedger(path)
    ledger.open_accounts(accounts(n_accounts))
    batch = []
    for purchase in purchases(n_accounts, m):
        batch.append(purchase)
        if len(batch) == 20_000:
            ledger.record_many(batch, allow_over_limit=True)
            batch = []
    ledger.record_many(batch, allow_over_limit=True)
    ledger.close()


def _tuples(n_accounts: int, m: int) -> list[baselines.PurchaseTuple]:
    return [
        (
            p.account,
            p.at,
            tuple(
                (ln.product, ln.code or "", ln.quantity, ln.unit_price, ln.vat.rate)
                for ln in p.lines
            ),
        )
        for p in purchases(n_accounts, m)
    ]


def _line_rows(run: Any) -> list[tuple[object, ...]]:
    """The rows of the lines layout, as plain tuples prepared before the clock starts."""
    zone = ZoneInfo(PERIOD.tz)
    rows = []
    for invoice in run.invoices:
        account = invoice.account
        for purchase in invoice.statement.purchases():
            date = PERIOD.business_date(purchase.at)
            time = purchase.at.astimezone(zone).time().replace(tzinfo=None)
            for line in purchase.lines:
                rows.append(
                    (date, time, account.number, account.name, purchase.id, line.product,
                     line.code, line.quantity, line.unit_price, line.amount(account.currency),
                     account.currency, line.vat.category.value, line.vat.percent)
                )  # fmt: skip
    return rows


def scenario_plan_memory(n: int, m: int, rounds: int) -> dict[str, Any]:
    """Plan a bulk run on MemoryLedger; baseline: a bare loop over tuples."""
    ledger = MemoryLedger()
    ledger.open_accounts(accounts(n))
    ledger.record_many(purchases(n, m), allow_over_limit=True)
    data = _tuples(n, m)
    bounds = PERIOD.day_bounds()
    ours, base = _interleave(
        lambda: plan_run(ledger, PERIOD, AccountQuery(), "zero-balance", actor=ADMIN),
        lambda: baselines.group(data, bounds, PERIOD.first),
        rounds,
    )
    return {"ours": ours, "baseline": base, "target": 2.0}


def scenario_plan_commit_sqlite(n: int, m: int, rounds: int, work: Path) -> dict[str, Any]:
    """Plan and commit on SQLite; baseline: a hand-written sqlite3 script."""
    seeded = work / "seed.sqlite"
    if not seeded.exists():
        seed_sqlite(seeded, n, m)
    target = work / "round.sqlite"

    def prepare() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copy(seeded, target)

    def ours() -> None:
        ledger = SQLLedger(target)
        plan = plan_run(ledger, PERIOD, AccountQuery(), "zero-balance", actor=ADMIN)
        commit_run(ledger, plan, actor=ADMIN)
        ledger.close()

    bounds = PERIOD.day_bounds()
    ours_t, base_t = _interleave(
        ours, lambda: baselines.sqlite_plan_commit(target, bounds, PERIOD.first), rounds, prepare
    )
    return {"ours": ours_t, "baseline": base_t, "target": 2.5}


def _run_in_memory(n: int, m: int) -> Any:
    ledger = MemoryLedger()
    ledger.open_accounts(accounts(n))
    ledger.record_many(purchases(n, m), allow_over_limit=True)
    plan = plan_run(ledger, PERIOD, AccountQuery(), "zero-balance", actor=ADMIN)
    return commit_run(ledger, plan, actor=ADMIN)


def scenario_csv(n: int, m: int, rounds: int) -> dict[str, Any]:
    """CSV lines export of a run; baseline: csv.writer over prepared tuples."""
    run = _run_in_memory(n, m)
    exporter = load_exporters().get("csv")
    options = exporter.options({"dialect": "rfc4180", "layout": "lines"})
    rows = _line_rows(run)
    ours, base = _interleave(
        lambda: exporter.export(run, io.BytesIO(), options),
        lambda: baselines.csv_rows(rows),
        rounds,
    )
    return {"ours": ours, "baseline": base, "target": 1.5}


def scenario_xlsx(n: int, m: int, rounds: int) -> dict[str, Any]:
    """XLSX lines export of a run; baseline: openpyxl write-only with the same cells."""
    run = _run_in_memory(n, m)
    exporter = load_exporters().get("xlsx")
    options = exporter.options({"lines": True, "days": False})
    rows = _line_rows(run)
    ours, base = _interleave(
        lambda: exporter.export(run, io.BytesIO(), options),
        lambda: baselines.xlsx_rows(rows),
        rounds,
    )
    return {"ours": ours, "baseline": base, "target": 1.2}


def whole_job(target: Path, out: Path) -> None:
    """Plan, commit, and export the run as CSV lines and XLSX: the library's side."""
    registry = load_exporters()
    ledger = SQLLedger(target)
    plan = plan_run(ledger, PERIOD, AccountQuery(), "zero-balance", actor=ADMIN)
    run = commit_run(ledger, plan, actor=ADMIN)
    with (out / "lines.csv").open("wb") as stream:
        registry.get("csv").export(run, stream, {"dialect": "rfc4180", "layout": "lines"})
    with (out / "lines.xlsx").open("wb") as stream:
        registry.get("xlsx").export(run, stream, {"lines": True, "days": False})
    ledger.close()


def _child_peak(side: str, seeded: Path, work: Path) -> tuple[float, float]:
    """Run one side of the whole job in a fresh process: (seconds, peak MiB)."""
    target = work / f"{side}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(seeded, target)
    out = work / f"{side}-out"
    out.mkdir(exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--child", side, str(target), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    data = json.loads(result.stdout)
    return data["seconds"], data["peak_mib"]


def _plan_commit(target: Path) -> None:
    ledger = SQLLedger(target)
    plan = plan_run(ledger, PERIOD, AccountQuery(), "zero-balance", actor=ADMIN)
    commit_run(ledger, plan, actor=ADMIN)
    ledger.close()


def _child(side: str, target: Path, out: Path) -> None:
    start = time.perf_counter()
    if side == "ours":
        whole_job(target, out)
    elif side == "plan-commit":
        _plan_commit(target)
    else:
        baselines.pandas_job(target, PERIOD.day_bounds(), out)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024}))


def scenario_whole_job(n: int, m: int, rounds: int, work: Path) -> dict[str, Any]:
    """The whole job on SQLite; baseline: pandas. Also compares peak memory."""
    seeded = work / "seed.sqlite"
    if not seeded.exists():
        seed_sqlite(seeded, n, m)
    ours_t, base_t, ours_m, base_m = [], [], [], []
    for _ in range(rounds):
        seconds, peak = _child_peak("ours", seeded, work)
        ours_t.append(seconds)
        ours_m.append(peak)
        seconds, peak = _child_peak("pandas", seeded, work)
        base_t.append(seconds)
        base_m.append(peak)
    return {
        "ours": statistics.median(ours_t),
        "baseline": statistics.median(base_t),
        "target": 1.0,
        "ours_peak_mib": max(ours_m),
        "baseline_peak_mib": max(base_m),
        "memory_target": 1 / 3,
    }


def scaling(n: int, sizes: list[int], rounds: int, work: Path) -> dict[str, Any]:
    """The whole job's peak memory and plan + commit's time at each size, on SQLite."""
    result: dict[str, Any] = {}
    for m in sizes:
        seeded = work / f"seed-{m}.sqlite"
        started = time.perf_counter()
        seed_sqlite(seeded, n, m)
        print(f"seeded {m:,} purchases in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        times = [_child_peak("plan-commit", seeded, work)[0] for _ in range(rounds)]
        seconds, peak = _child_peak("ours", seeded, work)
        result[str(m)] = {
            "plan_commit_s": statistics.median(times),
            "whole_job_s": seconds,
            "whole_job_peak_mib": peak,
        }
        print(f"{m:,}: {result[str(m)]}", file=sys.stderr)
        for path in work.glob("*.sqlite*"):
            if path.name != seeded.name:
                path.unlink()
    return result


def _machine() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        **{name: version(name) for name in ("onaccount", "sqlalchemy", "openpyxl", "pendulum")},
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the scenarios, print a table and optionally JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--purchases", type=int, default=2_000)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--scenario",
        action="append",
        choices=["plan-memory", "plan-commit-sqlite", "csv", "xlsx", "whole-job"],
        help="Run only these (repeatable); all by default.",
    )
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    parser.add_argument(
        "--scaling",
        type=int,
        nargs="+",
        metavar="M",
        help="Instead of the scenarios: the whole job's peak memory and plan + commit time "
        "at each of these numbers of purchases, on SQLite.",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        side, target, out = args.child
        _child(side, Path(target), Path(out))
        return 0

    n, m, rounds = args.accounts, args.purchases, args.rounds
    if args.scaling:
        with tempfile.TemporaryDirectory(prefix="onaccount-bench-") as tmp:
            grown = scaling(n, args.scaling, rounds, Path(tmp))
        print(json.dumps({"machine": _machine(), "accounts": n, "scaling": grown}, indent=2))
        if args.json:
            args.json.write_text(json.dumps({"machine": _machine(), "scaling": grown}, indent=2))
        return 0
    chosen = args.scenario or ["plan-memory", "plan-commit-sqlite", "csv", "xlsx", "whole-job"]
    results: dict[str, Any] = {
        "machine": _machine(),
        "accounts": n,
        "purchases": m,
        "rounds": rounds,
    }
    with tempfile.TemporaryDirectory(prefix="onaccount-bench-") as tmp:
        work = Path(tmp)
        runners: dict[str, Callable[[], dict[str, Any]]] = {
            "plan-memory": lambda: scenario_plan_memory(n, m, rounds),
            "plan-commit-sqlite": lambda: scenario_plan_commit_sqlite(n, m, rounds, work),
            "csv": lambda: scenario_csv(n, m, rounds),
            "xlsx": lambda: scenario_xlsx(n, m, rounds),
            "whole-job": lambda: scenario_whole_job(n, m, rounds, work),
        }
        scenarios = {}
        for name in chosen:
            started = time.perf_counter()
            scenarios[name] = runners[name]()
            scenarios[name]["wall"] = time.perf_counter() - started
            print(f"ran {name} in {scenarios[name]['wall']:.1f} s", file=sys.stderr)
    results["scenarios"] = scenarios
    _print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


def _print_table(results: dict[str, Any]) -> None:
    print(
        f"onaccount benchmarks: {results['accounts']:,} accounts, "
        f"{results['purchases']:,} purchases, median of {results['rounds']} rounds"
    )
    print(f"{'scenario':<22}{'ours s':>10}{'baseline s':>12}{'ratio':>8}{'target':>8}  verdict")
    for name, r in results["scenarios"].items():
        ratio = r["ours"] / r["baseline"] if r["baseline"] else float("inf")
        verdict = "met" if ratio <= r["target"] else "MISSED"
        print(
            f"{name:<22}{r['ours']:>10.4f}{r['baseline']:>12.4f}{ratio:>8.2f}"
            f"{r['target']:>8.2f}  {verdict}"
        )
        if "ours_peak_mib" in r:
            share = r["ours_peak_mib"] / r["baseline_peak_mib"]
            verdict = "met" if share <= r["memory_target"] else "MISSED"
            print(
                f"{'  peak memory MiB':<22}{r['ours_peak_mib']:>10.1f}"
                f"{r['baseline_peak_mib']:>12.1f}{share:>8.2f}{r['memory_target']:>8.2f}"
                f"  {verdict}"
            )
    stamp = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    print(f"machine: {json.dumps(results['machine'])}  at {stamp}")


if __name__ == "__main__":
    sys.exit(main())
