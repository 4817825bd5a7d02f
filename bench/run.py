"""rustssl's benchmark suite: rustssl against the stdlib ``ssl`` (and rtls if installed).

    python bench/run.py [--quick] [--only AXIS[,AXIS...]] [--reps N] [--no-rtls]

Every repetition of every axis runs in a fresh process (``bench/worker.py``),
alternating the order of the modules (A B, B A, ...). Medians are reported;
the ratio is rustssl ÷ stdlib. The table is printed and written, with the raw
samples as JSON, to ``bench/results/``. See ``docs/performance.md``.

The ``ceiling`` axis builds the rustls-only bench (``make bench-rust``) and runs
its cases as one more column of the axes they bound, interleaved with the
modules; its rows show the sans-IO and handshake rows as a percentage of it.
Those run in one thread, so the target rows compare work per second of that
thread's CPU time, which preemption by the machine's other processes does not
inflate; the wall-time percentages stay as information. It brings those axes
into an ``--only`` run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKER = HERE / "worker.py"
RESULTS = HERE / "results"
#: Longest one measurement may take before it is killed and reported as failed.
WORKER_TIMEOUT = 120
#: Longest the ceiling bench may take, its build included (a first build of
#: aws-lc in the bench profile takes minutes on a loaded machine).
CEILING_TIMEOUT = 1800


@dataclass(frozen=True)
class Axis:
    name: str
    title: str
    unit: str
    #: ``ratio>=``: rustssl ÷ stdlib at least; ``ratio<=``: at most;
    #: ``abs>=``: rustssl's own value at least; ``pct>=``: rustssl's value at
    #: least this percentage of the ceiling.
    kind: str
    target: float
    reps: int = 7
    #: For a measurement with several rows, which of its ``values`` this row
    #: shows. For a ``ceiling`` row, the row (``Axis.row``) shown as a
    #: percentage of the ceiling bench's case of the same key.
    key: str | None = None
    #: Rate per second of the measuring thread's CPU time (the worker's
    #: ``cpu_value``/``cpu_values``), not of wall time. For a ``ceiling``
    #: row: compare those rates.
    cpu: bool = False

    @property
    def row(self) -> str:
        """This row's key in the results."""
        row = self.name if self.key is None else f"{self.name}:{self.key}"
        return row + CPU_SUFFIX if self.cpu else row

    @property
    def bound(self) -> str:
        """For a ``ceiling`` row, the key of the row it compares with the ceiling."""
        assert self.key is not None
        return self.key + CPU_SUFFIX if self.cpu else self.key


#: The column of the ceiling bench's results (rustls alone) in a bounded axis.
CEILING = "rustls"
#: Ends the key of a row rated per thread-CPU-second.
CPU_SUFFIX = "@cpu"


def ceiling_rows(row: str, title: str, target: float) -> list[Axis]:
    """The rows comparing ``row`` with the ceiling: per thread-CPU-second (the
    target) and per wall second (information)."""
    return [
        Axis(
            "ceiling", f"{title}, % of rustls alone, CPU", "%", "pct>=", target, key=row, cpu=True
        ),
        Axis("ceiling", f"{title}, % of rustls alone, wall", "%", "pct>=", 0, key=row),
    ]


#: The in-memory full handshakes (`hs-sansio`), as the ceiling bench runs them.
SANSIO_HANDSHAKES = {
    "ecdsa-default": "ECDSA P-256, default kx",
    "ecdsa-x25519": "ECDSA P-256, X25519",
    "rsa-default": "RSA-2048, default kx",
    "rsa-x25519": "RSA-2048, X25519",
}


AXES = [
    # Wall time over loopback mostly measures the scheduler on a small machine
    # (issue 19), so these are information; `bulk-cpu` carries the bulk target.
    Axis("bulk-tls13", "bulk socket TLS 1.3, 64 MiB", "MiB/s", "ratio>=", 0.0),
    Axis("bulk-tls12", "bulk socket TLS 1.2 ECDHE-ECDSA-AES128-GCM", "MiB/s", "ratio>=", 0.0),
    # Not an issue-7 axis: the same transfer after 64 MiB of warm-up, 512 MiB timed.
    Axis("bulk-tls13-sustained", "bulk socket TLS 1.3, sustained", "MiB/s", "ratio>=", 0.0),
    *(
        Axis("bulk-cpu", f"bulk TLS 1.3 pinned 256 MiB, {title}", unit, "ratio>=", target, key=key)
        for key, title, unit, target in (
            ("sender", "sender", "MiB/CPU-s", 1.8),
            ("receiver", "receiver", "MiB/CPU-s", 1.8),
            ("wall", "wall time", "MiB/s", 0.0),
        )
    ),
    Axis("bulk-sansio", "bulk SSLObject+MemoryBIO, 64 MiB", "MiB/s", "ratio>=", 2.0),
    Axis("bulk-sansio", "bulk SSLObject+MemoryBIO, 64 MiB", "MiB/CPU-s", "ratio>=", 0.0, cpu=True),
    Axis("hs-ecdsa-x25519", "full handshake ECDSA P-256, X25519", "hs/s", "ratio>=", 2.6),
    Axis("hs-ecdsa-default", "full handshake ECDSA P-256, default kx", "hs/s", "ratio>=", 2.1),
    Axis("hs-rsa-default", "full handshake RSA-2048, default kx", "hs/s", "ratio>=", 1.6),
    Axis("hs-rsa-x25519", "full handshake RSA-2048, X25519", "hs/s", "ratio>=", 1.6),
    Axis("hs-resumed", "resumed TLS 1.3 handshake", "hs/s", "ratio>=", 2.5),
    *(
        Axis(
            "hs-sansio",
            f"full handshake in memory, {title}",
            unit,
            "ratio>=",
            0.0,
            key=key,
            cpu=cpu,
        )
        for key, title in SANSIO_HANDSHAKES.items()
        for unit, cpu in (("hs/s", False), ("hs/CPU-s", True))
    ),
    *ceiling_rows("bulk-sansio", "bulk SSLObject+MemoryBIO", 85),
    *(
        row
        for key, title in SANSIO_HANDSHAKES.items()
        for row in ceiling_rows(f"hs-sansio:{key}", f"full handshake in memory, {title}", 90)
    ),
    # Two processes against two threads, over loopback: wall time only.
    Axis(
        "ceiling", "bulk socket TLS 1.3, % of rustls alone, wall", "%", "pct>=", 0, key="bulk-tls13"
    ),
    Axis("rtt-1b", "ping-pong 1 B", "rt/s", "ratio>=", 1.15),
    Axis("rtt-1k", "ping-pong 1 KiB", "rt/s", "ratio>=", 0.0),
    Axis("memory", "memory per client+server pair (2000)", "KiB", "ratio<=", 0.5, reps=3),
    *(
        Axis("idle-memory", title, "KiB", "ratio<=", target, reps=3, key=key)
        for key, title, target in (
            ("handshake", "idle pair after handshake (2000)", 0.35),
            ("exchange", "idle pair after 1 KiB/16 KiB req/resp", 0.35),
        )
    ),
    Axis("context", "create_default_context()", "ctx/s", "ratio>=", 5.0, key="default"),
    Axis(
        "context", "create_default_context(cafile=certifi)", "ctx/s", "ratio>=", 5.0, key="certifi"
    ),
    Axis("https-get", "requests.get(), certifi + test CA", "req/s", "ratio>=", 4.0, key="certifi"),
    Axis("https-get", "requests.get(), test CA only", "req/s", "ratio>=", 1.5, key="one-ca"),
    Axis("asyncio", "asyncio 50 conns x 1 MiB echo", "MiB/s", "ratio>=", 1.4),
    Axis("two-threads", "two threads, two sans-IO connections", "x one", "abs>=", 1.6),
    # Not an issue-7 axis: what a one-shot script pays before its first byte.
    Axis("startup", "fresh process: import to first handshake", "ms", "ratio<=", 1.0, reps=3),
]


def generate_certificates(directory: Path) -> None:
    from rustssl import _ssl

    for key, kind in (("ecdsa", "ecdsa-p256"), ("rsa", "rsa2048")):
        (ca_pem, _ca_key), (leaf_pem, leaf_key) = _ssl._generate_certificates(["localhost"], kind)
        d = directory / key
        d.mkdir(parents=True)
        (d / "ca.pem").write_text(ca_pem)
        (d / "leaf.pem").write_text(leaf_pem)
        (d / "leaf.key").write_text(leaf_key)


def available_modules(with_rtls: bool) -> list[str]:
    modules = ["ssl", "rustssl"]
    if with_rtls and importlib.util.find_spec("rtls") is not None:
        modules.append("rtls")
    return modules


def json_lines(cmd: list[str], quick: bool) -> tuple[list[dict[str, Any]], str | None]:
    """Runs one measurement (``--quick`` if asked): the JSON objects it printed, or an error."""
    if quick:
        cmd = [*cmd, "--quick"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=WORKER_TIMEOUT)
    except subprocess.TimeoutExpired:
        return [], f"timed out after {WORKER_TIMEOUT}s"
    objects = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not objects:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return [], f"exit {proc.returncode}: {tail}"
    return objects, None


def run_one(axis: str, module: str, certdir: Path, quick: bool) -> dict[str, Any]:
    cmd = [sys.executable, str(WORKER), "measure", axis, module, str(certdir)]
    results, error = json_lines(cmd, quick)
    return {"error": error} if error else results[-1]


def sample_value(sample: dict[str, Any], key: str | None, cpu: bool) -> float | None:
    """The value of one row in one worker's result, if it has one: its rate
    per thread-CPU-second if ``cpu``, else its wall-time value."""
    prefix = "cpu_" if cpu else ""
    if key is None:
        return sample.get(prefix + "value")
    return (sample.get(prefix + "values") or {}).get(key)


def summarize(
    samples: list[dict[str, Any]], key: str | None = None, cpu: bool = False
) -> dict[str, Any]:
    measured = [(s, sample_value(s, key, cpu)) for s in samples]
    values = [v for _s, v in measured if v is not None]
    if values and len(values) * 2 > len(samples):
        med = statistics.median(values)
        spread = (max(values) - min(values)) / med if med else 0.0
        extra = next((s["extra"] for s in samples if s.get("extra")), None) or {}
        failed = [s.get("error") or s.get("na") for s, v in measured if v is None]
        if failed:
            extra = {**extra, "failed_runs": failed}
        return {"median": med, "spread": spread, "values": values, "extra": extra or None}
    bad = next(s for s, v in measured if v is None)
    if "na" in bad:
        return {"na": bad["na"]}
    return {"error": bad.get("error", f"no {'CPU ' if cpu else ''}value {key!r}")}


def build_ceiling() -> dict[str, Any]:
    """Builds the rustls-only bench (``make bench-rust``): ``{"path": executable}``."""
    if shutil.which("cargo") is None:
        return {"error": "cargo not found"}
    cmd = ["cargo", "bench", "-p", "rustssl-core", "--bench", "ceiling", "--no-run"]
    cmd.append("--message-format=json")
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=CEILING_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return {"error": f"build timed out after {CEILING_TIMEOUT}s"}
    for line in proc.stdout.splitlines():
        msg = json.loads(line) if line.startswith("{") else {}
        if msg.get("reason") == "compiler-artifact" and msg.get("executable"):
            if msg.get("target", {}).get("name") == "ceiling":
                return {"path": msg["executable"]}
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"build: exit {proc.returncode}: {tail}"}


def run_ceiling(path: str, axis: str, quick: bool) -> dict[str, Any]:
    """One repetition of the ceiling's cases for ``axis``, shaped as a worker's result."""
    cases, error = json_lines([path, "--json", "--reps", "1", "--only", axis], quick)
    if error:
        return {"error": error}
    if cases[0]["key"] == axis:
        return {"value": cases[0]["median"], "cpu_value": cases[0].get("cpu_median")}
    rows = {c["key"].split(":", 1)[1]: c for c in cases}
    return {
        "values": {row: c["median"] for row, c in rows.items()},
        "cpu_values": {row: c.get("cpu_median") for row, c in rows.items()},
    }


def percent_of(summary: dict[str, Any], ceiling: dict[str, Any]) -> dict[str, Any]:
    """One module's result of a row as a percentage of the ceiling's result of that row."""
    if "median" not in ceiling:
        return {"error": f"ceiling: {ceiling.get('error') or ceiling.get('na')}"}
    if "median" not in summary:
        return summary
    base = ceiling["median"]
    values = [100 * v / base for v in summary["values"]]
    return {"median": 100 * summary["median"] / base, "spread": summary["spread"], "values": values}


def fmt(summary: dict[str, Any] | None) -> str:
    if summary is None:
        return "-"
    if "median" in summary:
        m = summary["median"]
        text = f"{m:.0f}" if m >= 100 else f"{m:.2f}"
        return f"{text} +-{summary['spread'] * 50:.0f}%"
    if "na" in summary:
        return f"n/a ({summary['na']})"
    return f"error ({summary['error']})"


def verdict(axis: Axis, results: dict[str, dict[str, Any]]) -> tuple[str, str]:
    std, ours = results.get("ssl", {}), results.get("rustssl", {})
    if "median" not in ours:
        return "-", "n/a"
    ratio = ours["median"] / std["median"] if std.get("median") else None
    ratio_text = f"{ratio:.2f}x" if ratio is not None else "-"
    if axis.kind == "pct>=":
        ratio_text = "-"
    if axis.target <= 0:
        return ratio_text, "(info)"
    if axis.kind in ("abs>=", "pct>="):
        met = ours["median"] >= axis.target
    elif ratio is None:
        return ratio_text, "n/a"
    elif axis.kind == "ratio<=":
        met = ratio <= axis.target
    else:
        met = ratio >= axis.target
    return ratio_text, "yes" if met else "**no**"


def target_text(axis: Axis) -> str:
    if axis.target <= 0:
        return "-"
    return {
        "ratio>=": f"≥{axis.target}x",
        "ratio<=": f"≤{axis.target}x",
        "abs>=": f"≥{axis.target}x (own)",
        "pct>=": f"≥{axis.target:.0f}% (own)",
    }[axis.kind]


def table(modules: list[str], all_results: dict[str, dict[str, dict[str, Any]]]) -> str:
    header = ["axis", "unit", "stdlib", "rustssl"]
    if "rtls" in modules:
        header.append("rtls")
    header += ["ratio", "target", "met?"]
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for axis in AXES:
        if axis.row not in all_results:
            continue
        res = all_results[axis.row]
        ratio, met = verdict(axis, res)
        cells = [axis.title, axis.unit, fmt(res.get("ssl")), fmt(res.get("rustssl"))]
        if "rtls" in modules:
            cells.append(fmt(res.get("rtls")))
        cells += [ratio, target_text(axis), met]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and 3 repetitions")
    names = list(dict.fromkeys(a.name for a in AXES))
    parser.add_argument("--only", help="comma-separated axes: " + ", ".join(names))
    parser.add_argument(
        "--reps",
        type=int,
        help="repetitions per module (default 7; memory, idle-memory, startup 3; --quick at most 3)",
    )
    parser.add_argument("--no-rtls", action="store_true", help="leave rtls out even if installed")
    args = parser.parse_args()

    wanted = set(names)
    #: The axes the ceiling bench has cases for.
    bounded = {a.key.split(":")[0] for a in AXES if a.name == "ceiling" and a.key}
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - set(names)
        if unknown:
            parser.error(f"unknown axes: {', '.join(sorted(unknown))}")
        if "ceiling" in wanted:  # the axes it is the ceiling of, measured in this run
            wanted |= bounded
    axes = [a for a in AXES if a.name in wanted]
    modules = available_modules(not args.no_rtls)
    began = time.time()
    load_start = os.getloadavg()[0]
    all_results: dict[str, dict[str, dict[str, Any]]] = {}
    raw: dict[str, Any] = {}
    ceiling: dict[str, Any] = {}
    if "ceiling" in wanted:
        ceiling = raw["ceiling"] = build_ceiling()
        print(f"ceiling: {ceiling}", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="rustssl-bench-") as tmp:
        certdir = Path(tmp)
        generate_certificates(certdir)
        for name in [n for n in names if n in wanted and n != "ceiling"]:
            rows = [a for a in axes if a.name == name]
            t0 = time.time()
            # The ceiling's cases for this axis run as one more column, interleaved
            # with the modules, so that both see the same load of the machine.
            runners = modules + ([CEILING] if "path" in ceiling and name in bounded else [])
            reps = args.reps or (min(rows[0].reps, 3) if args.quick else rows[0].reps)
            samples: dict[str, list[dict[str, Any]]] = {m: [] for m in runners}
            for rep in range(reps):
                for runner in runners if rep % 2 == 0 else runners[::-1]:
                    if runner == CEILING:
                        sample = run_ceiling(ceiling["path"], name, args.quick)
                    else:
                        sample = run_one(name, runner, certdir, args.quick)
                    samples[runner].append(sample)
            raw[name] = samples
            for axis in rows:
                all_results[axis.row] = {
                    m: summarize(s, axis.key, axis.cpu) for m, s in samples.items()
                }
                line = "  ".join(f"{m}={fmt(r)}" for m, r in all_results[axis.row].items())
                print(f"[{time.time() - t0:5.1f}s] {axis.row}: {line}", file=sys.stderr, flush=True)
    # Each ceiling row with the row it bounds.
    bounds = [
        (a, a.bound) for a in axes if a.name == "ceiling" and a.key and a.bound in all_results
    ]
    for axis, bound in bounds:
        measured = all_results[bound]
        base = measured.get(CEILING) or {"error": ceiling.get("error", "not run")}
        all_results[axis.row] = {m: percent_of(measured[m], base) for m in modules}

    command = "python bench/run.py " + " ".join(sys.argv[1:])
    versions = module_versions(modules)
    md = [
        "# rustssl benchmark results",
        "",
        f"- command: `{command.strip()}`",
        f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, took {time.time() - began:.0f} s",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        f", load average {load_start:.2f} at start, {os.getloadavg()[0]:.2f} at end",
        *(f"- {m}: {v}" for m, v in versions.items()),
        "- values are medians over fresh processes, +-half the min-max spread;"
        " ratio = rustssl ÷ stdlib (memory: lower is better)",
        "",
        table(modules, all_results),
        "",
    ]
    if ceiling:
        md += [
            "Ceiling: the rustls-only bench (`make bench-rust`), one repetition at a time"
            " between this run's own:",
            "",
            "| row | unit | rustls alone | runs |",
            "|---|---|---|---|",
        ]
        for _axis, bound in bounds:
            res = all_results[bound].get(CEILING, {"error": ceiling.get("error")})
            runs = ", ".join(f"{v:.0f}" for v in res.get("values", []))
            row = next(a for a in AXES if a.row == bound)
            md.append(f"| {row.title} | {row.unit} | {fmt(res)} | {runs} |")
        md.append("")
    notes = []
    for axis in axes:
        if axis.row not in all_results:
            continue
        for m in modules:
            extra = all_results[axis.row][m].get("extra")
            if extra:
                notes.append(f"- {axis.name} / {m}: {json.dumps(extra)}")
    if notes:
        # The rows of one measurement share its details: each is listed once.
        md += ["Details:", "", *dict.fromkeys(notes), ""]
    text = "\n".join(md)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(text)
    (RESULTS / "latest.json").write_text(
        json.dumps(
            {
                "command": command,
                "versions": versions,
                "modules": modules,
                "results": all_results,
                "raw": raw,
            },
            indent=1,
        )
    )


def module_versions(modules: list[str]) -> dict[str, str]:
    code = "import importlib,sys; m=importlib.import_module(sys.argv[1]); print(m.OPENSSL_VERSION)"
    out = {}
    for m in modules:
        proc = subprocess.run(
            [sys.executable, "-c", code, m], capture_output=True, text=True, timeout=60
        )
        out[m] = proc.stdout.strip() or "unknown"
    return out


if __name__ == "__main__":
    main()
