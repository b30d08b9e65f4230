"""Run every benchmark scenario beside its baseline, in one process, interleaved.

    python -m benchmarks.run --smoke --rounds 1   # the smoke test CI runs: not a verdict
    python -m benchmarks.run --purchases 1000000 --accounts 10000 --json results.json
    python -m benchmarks.run --accounts 10000 --scaling 100000 1000000

Times are the median of ``--rounds`` rounds (at least 5; fewer only with ``--smoke``); in
each round the library's side and the baseline run one after the other, so both see the
same machine. Memory is reported in MB (10^6 bytes).

The CSV and XLSX scenarios export the lines of a run committed on SQLite; their baselines
read the same lines from the same file with ``sqlite3`` and write them with
``csv.writer`` or openpyxl's write-only mode, with the same Decimal amounts (rounded per
line, half up) and business dates (from the period's day bounds, so the day start and
the DST change count). Before timing, each baseline's total per account is checked
against the run's, and the CSV baseline's bytes against the library's: a baseline that
computes other numbers stops the benchmark. The whole job's pandas baseline computes in
integer cents and is checked the same way, account by account, in every round; it writes
the library's lines table (the same columns under the same labels, and as many rows),
which is checked from both sides' CSV files in every round too.

The in-process scenarios (plan-memory, plan-commit-sqlite, csv, xlsx) then run each side
once more, untimed, under ``tracemalloc``, and report the peak traced bytes the operation
allocated above what was allocated when it started. tracemalloc counts Python's
allocations (objects and buffers made through Python's allocators), not the memory C
libraries such as SQLite or zlib take on their own. The whole job's memory is the peak
resident set size of a fresh child process per side, so it counts everything that process
held, interpreter and imports included: at most 200 MB, and at most a quarter of
pandas' peak.

The scaling mode runs plan + commit and the whole job at each of several sizes and checks
that plan + commit's time grows no more than 1.1 times the size ratio (11 times from 100,000
to 1,000,000 purchases), that the whole job's peak memory at the largest size is at most
200 MB, and that it grows less than linearly.
"""

from __future__ import annotations

import argparse
import csv
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
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks import baselines
from benchmarks.data import PERIOD, accounts, purchases
from onaccount import AccountQuery, Actor, MemoryLedger, commit_run, plan_run
from onaccount.ledger.sql import SQLLedger, upgrade

if TYPE_CHECKING:
    from onaccount.exporting import ExporterRegistry

ADMIN = Actor.superuser("bench")
MB = 1_000_000
MIN_ROUNDS = 5
# The scaling targets: plan + commit's time may grow 11 times for ten times the purchases
# (the 100,000 to 1,000,000), in proportion for other sizes; the whole job's peak
# memory (at 1,000,000 purchases, or the largest size); its share of pandas' peak memory.
TIME_GROWTH_PER_TENFOLD = 11.0
PEAK_MB_TARGET = 200.0
WHOLE_JOB_MEMORY_SHARE = 1 / 4


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


def _traced_peak_mb(func: Callable[[], object], prepare: Callable[[], None]) -> float:
    """The peak MB ``func`` allocated through Python's allocators above its start."""
    prepare()
    gc.collect()
    already = tracemalloc.is_tracing()
    if not already:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start, _ = tracemalloc.get_traced_memory()
        func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not already:
            tracemalloc.stop()
    return max(peak - start, 0) / MB


def _measure(
    ours: Callable[[], object],
    baseline: Callable[[], object],
    rounds: int,
    target: float,
    prepare: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    """Median times over interleaved rounds, then each side's traced peak, untimed."""
    ours_t, base_t = _interleave(ours, baseline, rounds, prepare)
    return {
        "ours": ours_t,
        "baseline": base_t,
        "target": target,
        "ours_peak_mb": _traced_peak_mb(ours, prepare),
        "baseline_peak_mb": _traced_peak_mb(baseline, prepare),
        "memory": "tracemalloc",
    }


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


def scenario_plan_memory(n: int, m: int, rounds: int) -> dict[str, Any]:
    """Plan a bulk run on MemoryLedger; baseline: a bare loop over tuples."""
    ledger = MemoryLedger()
    ledger.open_accounts(accounts(n))
    ledger.record_many(purchases(n, m), allow_over_limit=True)
    data = _tuples(n, m)
    bounds = PERIOD.day_bounds()
    return _measure(
        lambda: plan_run(ledger, PERIOD, AccountQuery(), "zero-balance", actor=ADMIN),
        lambda: baselines.group(data, bounds, PERIOD.first),
        rounds,
        2.0,
    )


def scenario_plan_commit_sqlite(n: int, m: int, rounds: int, work: Path) -> dict[str, Any]:
    """Plan and commit on SQLite; baseline: a hand-written sqlite3 script."""
    seeded = _seeded(n, m, work)
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
    return _measure(
        ours,
        lambda: baselines.sqlite_plan_commit(target, bounds, PERIOD.first),
        rounds,
        2.5,
        prepare,
    )


def _seeded(n: int, m: int, work: Path) -> Path:
    seeded = work / "seed.sqlite"
    if not seeded.exists():
        seed_sqlite(seeded, n, m)
    return seeded


def _committed(n: int, m: int, work: Path) -> tuple[Path, SQLLedger, Any]:
    """A copy of the seeded ledger with the period's run committed, the ledger and the run."""
    seeded = _seeded(n, m, work)
    target = work / "committed.sqlite"
    if not target.exists():
        shutil.copy(seeded, target)
        _plan_commit(target)
    ledger = SQLLedger(target)
    (run,) = ledger.runs()
    return target, ledger, run


def _exporters() -> ExporterRegistry:
    """The exporter registry."""
    # Imported where used: the plan + commit child's peak memory is the billing job's
    # alone, without the exporters and openpyxl a POS back-end need not load to bill.
    from onaccount.exporting import load_exporters

    return load_exporters()


class BaselineDiffers(SystemExit):
    """A baseline computed other numbers than the library: its timing would mean nothing."""


def _cents(amount: Decimal) -> int:
    return int(amount.scaleb(2))


def run_totals(run: Any) -> dict[str, int]:
    """What the run invoiced per account, in cents."""
    return {i.account.number: _cents(i.statement.total) for i in run.invoices}


def check_totals(what: str, ours: dict[str, int], theirs: dict[str, int]) -> None:
    """Stop the benchmark if a baseline's total of any account differs from the library's."""
    if ours == theirs:
        return
    missing = sorted(set(ours) ^ set(theirs))
    wrong = sorted(a for a in set(ours) & set(theirs) if ours[a] != theirs[a])
    shown = ", ".join(
        f"{a}: {ours.get(a, 0) / 100:.2f} vs {theirs.get(a, 0) / 100:.2f}"
        for a in (missing + wrong)[:5]
    )
    off = sum(theirs.values()) - sum(ours.values())
    raise BaselineDiffers(
        f"{what} baseline computes other totals than the library: {len(wrong):,} accounts "
        f"differ, {len(missing):,} are in only one ({off / 100:+.2f} in all; {shown})"
    )


def scenario_csv(n: int, m: int, rounds: int, work: Path) -> dict[str, Any]:
    """CSV lines export of a committed run on SQLite; baseline: sqlite3 and csv.writer."""
    target, ledger, run = _committed(n, m, work)
    exporter = _exporters().get("csv")
    options = exporter.options({"dialect": "rfc4180", "layout": "lines"})
    bounds = PERIOD.day_bounds()

    def ours() -> bytes:
        stream = io.BytesIO()
        exporter.export(run, stream, options, ledger=ledger)
        return stream.getvalue()

    def baseline() -> tuple[bytes, dict[str, Decimal]]:
        return baselines.sqlite_csv_lines(target, run.id, bounds, PERIOD.first, PERIOD.tz)

    data, totals = baseline()
    check_totals("csv.writer", run_totals(run), {a: _cents(t) for a, t in totals.items()})
    if ours() != data:
        raise BaselineDiffers("the csv.writer baseline writes other bytes than the library")
    return _measure(ours, baseline, rounds, 1.0)


def scenario_xlsx(n: int, m: int, rounds: int, work: Path) -> dict[str, Any]:
    """XLSX lines export of a committed run on SQLite; baseline: sqlite3 and openpyxl."""
    target, ledger, run = _committed(n, m, work)
    exporter = _exporters().get("xlsx")
    options = exporter.options({"lines": True, "days": False})
    bounds = PERIOD.day_bounds()

    def ours() -> int:
        report = exporter.export(run, io.BytesIO(), options, ledger=ledger)
        return int(report.written) - len(run.invoices)  # the summary sheet's rows

    def baseline() -> tuple[bytes, dict[str, Decimal]]:
        return baselines.sqlite_xlsx_lines(target, run.id, bounds, PERIOD.first, PERIOD.tz)

    _, totals = baseline()
    check_totals("openpyxl", run_totals(run), {a: _cents(t) for a, t in totals.items()})
    lines = sum(len(p.lines) for i in run.invoices for p in i.statement.purchases(ledger))
    if ours() != lines:
        raise BaselineDiffers("the library's workbook has another number of lines")
    return _measure(ours, baseline, rounds, 1.1)


def whole_job(target: Path, out: Path) -> dict[str, int]:
    """Plan, commit, and export the run as CSV lines and XLSX: the library's side.

    Returns what the run invoiced per account, in cents.
    """
    registry = _exporters()
    ledger = SQLLedger(target)
    plan = plan_run(ledger, PERIOD, AccountQuery(), "zero-balance", actor=ADMIN)
    run = commit_run(ledger, plan, actor=ADMIN)
    with (out / "lines.csv").open("wb") as stream:
        options = {"dialect": "rfc4180", "layout": "lines"}
        registry.get("csv").export(run, stream, options, ledger=ledger)
    with (out / "lines.xlsx").open("wb") as stream:
        registry.get("xlsx").export(run, stream, {"lines": True, "days": False}, ledger=ledger)
    ledger.close()
    return run_totals(run)


def _child_peak(side: str, seeded: Path, work: Path) -> tuple[float, float, dict[str, int]]:
    """Run one side of the whole job in a fresh process: seconds, peak RSS in MB, totals."""
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
    return data["seconds"], data["peak_mb"], data["totals"]


def _plan_commit(target: Path) -> None:
    ledger = SQLLedger(target)
    plan = plan_run(ledger, PERIOD, AccountQuery(), "zero-balance", actor=ADMIN)
    commit_run(ledger, plan, actor=ADMIN)
    ledger.close()


def _child(side: str, target: Path, out: Path) -> None:
    start = time.perf_counter()
    totals: dict[str, int] = {}
    if side == "ours":
        totals = whole_job(target, out)
    elif side == "plan-commit":
        _plan_commit(target)
    else:
        totals = baselines.pandas_job(target, PERIOD.day_bounds(), PERIOD.first, PERIOD.tz, out)
    seconds = time.perf_counter() - start
    peak = _peak_rss_bytes() / MB
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "totals": totals}))


def _peak_rss_bytes() -> int:
    """This process's own peak resident set size.

    On Linux, ru_maxrss carries the parent's peak across fork and exec, so a child of a
    big benchmark process would report the parent's memory; VmHWM is the high-water
    mark of this process's own address space.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # ru_maxrss is in bytes on macOS and KiB elsewhere.
        return maxrss if sys.platform == "darwin" else maxrss * 1024
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("/proc/self/status has no VmHWM line")


def _table_shape(path: Path) -> tuple[list[str], int]:
    with path.open(newline="", encoding="utf-8") as stream:
        rows = csv.reader(stream)
        header = next(rows)
        return header, sum(1 for _ in rows)


def check_same_table(ours: Path, theirs: Path) -> None:
    """Stop the benchmark if a baseline wrote another lines table: other columns or rows."""
    mine, other = _table_shape(ours), _table_shape(theirs)
    if mine != other:
        raise BaselineDiffers(
            f"the pandas baseline writes another lines table: {len(other[0])} columns and "
            f"{other[1]:,} rows ({', '.join(other[0])}) where the library writes "
            f"{len(mine[0])} and {mine[1]:,} ({', '.join(mine[0])})"
        )


def scenario_whole_job(n: int, m: int, rounds: int, work: Path) -> dict[str, Any]:
    """The whole job on SQLite; baseline: pandas, its totals checked. Also peak memory."""
    seeded = _seeded(n, m, work)
    ours_t, base_t, ours_m, base_m = [], [], [], []
    for _ in range(rounds):
        seconds, peak, ours_totals = _child_peak("ours", seeded, work)
        ours_t.append(seconds)
        ours_m.append(peak)
        seconds, peak, pandas_totals = _child_peak("pandas", seeded, work)
        base_t.append(seconds)
        base_m.append(peak)
        check_totals("pandas", ours_totals, pandas_totals)
        check_same_table(work / "ours-out" / "lines.csv", work / "pandas-out" / "lines.csv")
    return {
        "ours": statistics.median(ours_t),
        "baseline": statistics.median(base_t),
        "target": 1.0,
        "ours_peak_mb": max(ours_m),
        "baseline_peak_mb": max(base_m),
        "memory": "peak RSS of a fresh process",
        "memory_target": WHOLE_JOB_MEMORY_SHARE,
        "peak_mb_target": PEAK_MB_TARGET,
        "peak_mb_verdict": _verdict(max(ours_m) <= PEAK_MB_TARGET),
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
        seconds, peak, _ = _child_peak("ours", seeded, work)
        result[str(m)] = {
            "plan_commit_s": statistics.median(times),
            "whole_job_s": seconds,
            "whole_job_peak_mb": peak,
        }
        print(f"{m:,}: {result[str(m)]}", file=sys.stderr)
        for path in work.glob("*.sqlite*"):
            if path.name != seeded.name:
                path.unlink()
    return result


def _ratio(ours: float, baseline: float) -> float | None:
    return ours / baseline if baseline > 0 else None


def _verdict(met: bool) -> str:
    return "met" if met else "missed"


def _judge(r: dict[str, Any]) -> None:
    """Add each ratio and its verdict against the target to a scenario's result."""
    r["ratio"] = _ratio(r["ours"], r["baseline"])
    r["verdict"] = _verdict(r["ratio"] is not None and r["ratio"] <= r["target"])
    if "ours_peak_mb" in r:
        r["memory_ratio"] = _ratio(r["ours_peak_mb"], r["baseline_peak_mb"])
    if "memory_target" in r:
        share = r["memory_ratio"]
        r["memory_verdict"] = _verdict(share is not None and share <= r["memory_target"])


def scaling_verdicts(grown: dict[str, Any]) -> dict[str, Any]:
    """Growth from the smallest size to the largest, against the scaling targets."""
    sizes = sorted(int(m) for m in grown)
    small, large = grown[str(sizes[0])], grown[str(sizes[-1])]
    size_ratio = sizes[-1] / sizes[0]
    time_growth = _ratio(large["plan_commit_s"], small["plan_commit_s"])
    memory_growth = _ratio(large["whole_job_peak_mb"], small["whole_job_peak_mb"])
    targets = {
        "plan_commit_time_growth_max": TIME_GROWTH_PER_TENFOLD * size_ratio / 10,
        "whole_job_peak_mb_max": PEAK_MB_TARGET,
        "whole_job_peak_growth_below": size_ratio,
    }
    return {
        "from": sizes[0],
        "to": sizes[-1],
        "size_ratio": size_ratio,
        "plan_commit_time_growth": time_growth,
        "whole_job_peak_mb": large["whole_job_peak_mb"],
        "whole_job_peak_growth": memory_growth,
        "targets": targets,
        "verdicts": {
            "plan_commit_time_growth": _verdict(
                time_growth is not None and time_growth <= targets["plan_commit_time_growth_max"]
            ),
            "whole_job_peak_mb": _verdict(large["whole_job_peak_mb"] <= PEAK_MB_TARGET),
            "whole_job_peak_growth": _verdict(
                memory_growth is not None and memory_growth < size_ratio
            ),
        },
    }


def _machine() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        **{name: version(name) for name in ("onaccount", "sqlalchemy", "openpyxl", "pendulum")},
    }


def _rounds(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


SMOKE_NOTE = "smoke test (--smoke): these numbers are not a verdict"


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the scenarios, print a table and optionally JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--purchases", type=int, default=2_000)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument(
        "--rounds",
        type=_rounds,
        default=MIN_ROUNDS,
        help=f"Rounds per scenario; the median is reported (at least {MIN_ROUNDS}, "
        f"unless --smoke; default {MIN_ROUNDS}).",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="A smoke test, not a measurement (what CI runs): allows fewer than "
        f"{MIN_ROUNDS} rounds and says the numbers are not a verdict.",
    )
    parser.add_argument(
        "--scenario",
        action="append",
        choices=["plan-memory", "plan-commit-sqlite", "csv", "xlsx", "whole-job"],
        help="Run only these (repeatable); all by default.",
    )
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    parser.add_argument(
        "--seeded",
        type=Path,
        help="A SQLite ledger seeded beforehand with --accounts and --purchases (by "
        "seed_sqlite), copied instead of seeding again.",
    )
    parser.add_argument(
        "--scaling",
        type=int,
        nargs="+",
        metavar="M",
        help="Instead of the scenarios: the whole job's peak memory and plan + commit time "
        "at each of these numbers of purchases (at least two), on SQLite.",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        side, target, out = args.child
        _child(side, Path(target), Path(out))
        return 0
    if args.rounds < MIN_ROUNDS and not args.smoke:
        parser.error(
            f"--rounds {args.rounds}: a measurement is the median of at least {MIN_ROUNDS} "
            "rounds; add --smoke for a smoke test with fewer (its numbers are not a verdict)"
        )

    n, m, rounds = args.accounts, args.purchases, args.rounds
    if args.scaling:
        sizes = sorted(set(args.scaling))
        if len(sizes) < 2 or sizes[0] < 1:
            parser.error("--scaling needs at least two different positive numbers of purchases")
        with tempfile.TemporaryDirectory(prefix="onaccount-bench-") as tmp:
            grown = scaling(n, sizes, rounds, Path(tmp))
        report = {
            "machine": _machine(),
            "accounts": n,
            "rounds": rounds,
            "smoke": args.smoke,
            "scaling": grown,
            **scaling_verdicts(grown),
        }
        print(json.dumps(report, indent=2))
        _print_scaling(report)
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
        return 0
    chosen = args.scenario or ["plan-memory", "plan-commit-sqlite", "csv", "xlsx", "whole-job"]
    results: dict[str, Any] = {
        "machine": _machine(),
        "accounts": n,
        "purchases": m,
        "rounds": rounds,
        "smoke": args.smoke,
    }
    with tempfile.TemporaryDirectory(prefix="onaccount-bench-") as tmp:
        work = Path(tmp)
        if args.seeded:
            shutil.copy(args.seeded, work / "seed.sqlite")
        runners: dict[str, Callable[[], dict[str, Any]]] = {
            "plan-memory": lambda: scenario_plan_memory(n, m, rounds),
            "plan-commit-sqlite": lambda: scenario_plan_commit_sqlite(n, m, rounds, work),
            "csv": lambda: scenario_csv(n, m, rounds, work),
            "xlsx": lambda: scenario_xlsx(n, m, rounds, work),
            "whole-job": lambda: scenario_whole_job(n, m, rounds, work),
        }
        scenarios = {}
        for name in chosen:
            started = time.perf_counter()
            scenarios[name] = runners[name]()
            scenarios[name]["wall"] = time.perf_counter() - started
            _judge(scenarios[name])
            print(f"ran {name} in {scenarios[name]['wall']:.1f} s", file=sys.stderr)
    results["scenarios"] = scenarios
    _print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


def _fmt_ratio(value: float | None, width: int) -> str:
    return f"{value:>{width}.2f}" if value is not None else f"{'-':>{width}}"


def _fmt_growth(value: float | None) -> str:
    return f"{value:.2f}x" if value is not None else "-"


def _shout(verdict: str) -> str:
    return "MISSED" if verdict == "missed" else verdict


def _footer(results: dict[str, Any]) -> None:
    stamp = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    print(f"machine: {json.dumps(results['machine'])}  at {stamp}")


def _print_table(results: dict[str, Any]) -> None:
    if results["smoke"]:
        print(SMOKE_NOTE)
    print(
        f"onaccount benchmarks: {results['accounts']:,} accounts, "
        f"{results['purchases']:,} purchases, median of {results['rounds']} rounds"
    )
    print(f"{'scenario':<22}{'ours':>10}{'baseline':>12}{'ratio':>8}{'target':>8}  verdict")
    for name, r in results["scenarios"].items():
        print(
            f"{name + ' s':<22}{r['ours']:>10.4f}{r['baseline']:>12.4f}"
            f"{_fmt_ratio(r['ratio'], 8)}{r['target']:>8.2f}  {_shout(r['verdict'])}"
        )
        if "ours_peak_mb" in r:
            kind = "RSS" if "memory_target" in r else "traced"
            target = f"{r['memory_target']:>8.2f}" if "memory_target" in r else f"{'-':>8}"
            verdict = _shout(r["memory_verdict"]) if "memory_verdict" in r else ""
            print(
                f"{'  peak MB (' + kind + ')':<22}{r['ours_peak_mb']:>10.1f}"
                f"{r['baseline_peak_mb']:>12.1f}{_fmt_ratio(r['memory_ratio'], 8)}{target}"
                f"  {verdict}".rstrip()
            )
        if "peak_mb_target" in r:
            print(
                f"{'  peak MB <= ' + format(r['peak_mb_target'], 'g'):<22}"
                f"{r['ours_peak_mb']:>10.1f}{'':>12}{'':>8}{'':>8}  "
                f"{_shout(r['peak_mb_verdict'])}"
            )
    print("peak MB (traced): tracemalloc, Python's allocations above the operation's start")
    print("peak MB (RSS): peak resident set size of a fresh process per side")
    _footer(results)


def _print_scaling(report: dict[str, Any]) -> None:
    if report["smoke"]:
        print(SMOKE_NOTE)
    print(
        f"onaccount scaling on SQLite: {report['accounts']:,} accounts, "
        f"plan + commit median of {report['rounds']} rounds, whole job once per size"
    )
    print(f"{'purchases':>12}{'plan+commit s':>15}{'growth':>9}{'whole job s':>13}"
          f"{'peak MB':>10}{'growth':>9}")  # fmt: skip
    grown = report["scaling"]
    first = grown[str(report["from"])]
    for size in sorted(grown, key=int):
        row = grown[size]
        time_growth = _ratio(row["plan_commit_s"], first["plan_commit_s"])
        peak_growth = _ratio(row["whole_job_peak_mb"], first["whole_job_peak_mb"])
        print(
            f"{int(size):>12,}{row['plan_commit_s']:>15.4f}{_fmt_ratio(time_growth, 9)}"
            f"{row['whole_job_s']:>13.4f}{row['whole_job_peak_mb']:>10.1f}"
            f"{_fmt_ratio(peak_growth, 9)}"
        )
    targets, verdicts = report["targets"], report["verdicts"]
    span = f"{report['from']:,} -> {report['to']:,} purchases (x{report['size_ratio']:g})"
    print(f"{'check, ' + span:<58}{'value':>10}{'target':>12}  verdict")
    checks = [
        (
            "plan + commit time growth",
            _fmt_growth(report["plan_commit_time_growth"]),
            f"<= {targets['plan_commit_time_growth_max']:.2f}x",
            verdicts["plan_commit_time_growth"],
        ),
        (
            f"whole job peak MB at {report['to']:,}",
            f"{report['whole_job_peak_mb']:>10.1f}",
            f"<= {targets['whole_job_peak_mb_max']:g} MB",
            verdicts["whole_job_peak_mb"],
        ),
        (
            "whole job peak memory growth (less than linear)",
            _fmt_growth(report["whole_job_peak_growth"]),
            f"< {targets['whole_job_peak_growth_below']:.2f}x",
            verdicts["whole_job_peak_growth"],
        ),
    ]
    for label, value, target, verdict in checks:
        print(f"{label:<58}{value:>10}{target:>12}  {_shout(verdict)}")
    if (report["from"], report["to"]) != (100_000, 1_000_000):
        print("the issue's targets are for 100,000 -> 1,000,000 purchases on 10,000 accounts")
    _footer(report)


if __name__ == "__main__":
    sys.exit(main())
