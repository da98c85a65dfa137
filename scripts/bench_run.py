#!/usr/bin/env python3
"""The measuring half of scripts/bench (run it through scripts/bench, which builds
featurearr and prepares the venv).

For each size: writes inputs with `featurearr demo`, then times whole processes (wall
seconds and peak RSS), best of --runs:
  - featurearr end to end: load flags, arr, workspace-accounts, auth0 of the newest
    snapshot into a fresh store, then report revenue-share, report idps, doctor (JSON);
    also each of those steps;
  - featurearr loads + revenue-share: the sum of those four processes (load flags,
    arr, workspace-accounts, report revenue-share) in each run;
  - scripts/bench_lean.sql: that same work (three loads and revenue-share) as one SQL
    script run by the DuckDB 1.5.6 CLI (`--duckdb-cli`) in one process, into a
    file-backed database: the lean baseline of issue 18;
  - scripts/bench_duckdb.py: the same reading, joins and aggregations in DuckDB;
  - scripts/bench_pandas.py: the same in pandas;
  - scripts/bench_postgres.py: `load flags postgresql://... --query` from a throwaway
    PostgreSQL server against `load flags FILE.csv` on the same rows.
Checks that they agree on the numbers (customers, total ARR, per-feature customers
and ARR, per-IdP connections/customers/ARR/logins; the lean baseline's revenue-share
numbers, workspaces, users and coverage) and fails loudly if not.
With --idps-connections N, also times `report idps` (markdown and JSON) on a store
whose Auth0 snapshot holds N enterprise connections (scripts/bench_idps.py).
Prints a markdown table and writes it to target/bench/results.md.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

from bench_postgres import bench_postgres

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
AS_OF = "2026-09-30"


def parse_size(text):
    text = text.strip().lower()
    for suffix, factor in (("k", 1_000), ("m", 1_000_000)):
        if text.endswith(suffix):
            return int(float(text[:-1]) * factor)
    return int(text)


def size_label(n):
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


TIME = shutil.which("time", path="/usr/bin:/bin")


def measure(cmd, stdout=None, cwd=None, env=None):
    """Runs cmd to completion; returns (wall seconds, peak RSS MiB). Fails on a non-zero exit."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = [TIME, "-q", "-f", "%e %M", "-o", tf.name] + cmd if TIME else cmd
        out = open(stdout, "w") if stdout else subprocess.DEVNULL
        start = time.perf_counter()
        proc = subprocess.Popen(full, stdout=out, stderr=subprocess.PIPE, cwd=cwd, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        stderr = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if stdout:
            out.close()
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            sys.exit(f"FAILED ({code}): {' '.join(cmd)}\n{stderr}")
        if TIME:
            fields = tf.read().split()
            return wall, int(fields[-1]) / 1024
        return wall, usage.ru_maxrss / 1024


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    free = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu": cpu, "free": free, "kernel": platform.release()}


def cents(x):
    return round(x * 100)


def featurearr_numbers(share_path, idps_path):
    share = json.load(open(share_path))
    idps = json.load(open(idps_path))
    out = {
        "customers": share["totals"]["customers"],
        "arr_cents": cents(share["totals"]["arr"]),
        "features": {f["feature"]: {"customers": f["customers"], "arr_cents": cents(f["arr"])} for f in share["features"]},
        "idps": {
            i["idp"]: {
                "connections": i["connections"],
                "workspaces": i["workspaces"],
                "customers": i["customers"],
                "arr_cents": cents(i["arr"]),
                "logins": i["logins"] or 0,
            }
            for i in idps["idps"]
        },
    }
    return out


def compare(label, numbers):
    """numbers: {tool: dict}. Exits when they disagree."""
    tools = list(numbers)
    ref_tool = tools[0]
    ref = numbers[ref_tool]
    problems = []
    for tool in tools[1:]:
        other = numbers[tool]
        for key in ("customers", "arr_cents"):
            if ref[key] != other[key]:
                problems.append(f"{key}: {ref_tool}={ref[key]} {tool}={other[key]}")
        for section in ("features", "idps"):
            keys = sorted(set(ref[section]) | set(other[section]))
            for k in keys:
                a, b = ref[section].get(k), other[section].get(k)
                if a != b:
                    problems.append(f"{section}[{k}]: {ref_tool}={a} {tool}={b}")
    if problems:
        print(f"\nNUMBERS DISAGREE at {label}:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        sys.exit(1)
    f = ref["features"]
    print(
        f"  numbers agree: {ref['customers']} customers, ARR {ref['arr_cents'] / 100:,.2f}, "
        + ", ".join(f"{k} {v['customers']}" for k, v in f.items())
        + f", {len(ref['idps'])} IdPs",
        flush=True,
    )


def lean_variables(inputs):
    """The `-cmd` of scripts/bench_lean.sql: input paths and the config's rates."""
    import tomllib

    from bench_common import input_paths, rate_parts

    paths = input_paths(inputs, AS_OF)
    with open(paths["config"], "rb") as f:
        currency = tomllib.load(f)["currency"]

    def lit(text):
        return "'" + text.replace("'", "''") + "'"

    rates = ", ".join(
        f"{{'code': {lit(code)}, 'mantissa': {m}, 'scale': {scale}}}"
        for code, (m, scale) in (
            (code, rate_parts(value)) for code, value in sorted(currency.get("rates", {}).items())
        )
    )
    return (
        f"SET VARIABLE flags = {lit(paths['flags'])}; SET VARIABLE arr = {lit(paths['arr'])}; "
        f"SET VARIABLE workspace_accounts = {lit(paths['workspace_accounts'])}; "
        f"SET VARIABLE reporting = {lit(currency.get('reporting', 'USD'))}; "
        f"SET VARIABLE rates = [{rates}]::STRUCT(code VARCHAR, mantissa BIGINT, scale INTEGER)[];"
    )


def compare_lean(label, share_path, lean_path):
    """The lean baseline's revenue-share numbers against featurearr's JSON, exactly."""
    share = json.load(open(share_path))
    lines = [line for line in open(lean_path).read().splitlines() if line.strip()]
    lean = json.loads(lines[-1])[0]
    cov = share["coverage"]
    ours = {
        "customers": share["totals"]["customers"],
        "arr_cents": cents(share["totals"]["arr"]),
        "workspaces": share["totals"]["workspaces"],
        "all_arr_cents": cents(cov["all_arr"]),
        "accounts_without_workspace": cov["accounts_without_workspace"],
        "churned_accounts": cov["churned_accounts"],
        "workspaces_without_account": cov["workspaces_without_account"],
        "features": sorted(
            (f["feature"], f["customers"], cents(f["arr"]), f["workspaces"], f["users"]) for f in share["features"]
        ),
    }
    theirs = {k: lean[k] for k in ours if k != "features"}
    theirs["features"] = sorted(
        (f["feature"], f["customers"], f["arr_cents"], f["workspaces"], f["users"]) for f in lean["features"]
    )
    problems = [f"{k}: featurearr={ours[k]} lean={theirs[k]}" for k in ours if ours[k] != theirs[k]]
    if problems:
        print(f"\nLEAN BASELINE DISAGREES at {label}:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        sys.exit(1)
    print(f"  lean baseline agrees: {ours['customers']} customers, {len(ours['features'])} features, coverage", flush=True)


def measure_idps(args, label, inputs, config, connections, rows):
    """Times `report idps` (md and json) on a store holding `connections` enterprise connections."""
    big = os.path.join(args.work, f"auth0-{label}-{connections}.json")
    if args.regen or not os.path.exists(big):
        subprocess.run(
            [sys.executable, os.path.join(HERE, "bench_idps.py"), "--inputs", inputs, "--as-of", AS_OF,
             "--connections", str(connections), "--out", big],
            check=True,
        )
    db = os.path.join(args.work, f"idps-{label}.duckdb")
    for f in (db, db + ".wal"):
        if os.path.exists(f):
            os.remove(f)
    p = lambda name: os.path.join(inputs, f"{name}-{AS_OF}.csv")  # noqa: E731
    for argv in (
        ["load", "flags", p("flags")],
        ["load", "arr", p("arr")],
        ["load", "workspace-accounts", p("workspace-accounts")],
        ["load", "auth0", big],
    ):
        measure([args.bin, "--db", db, "--config", config] + argv + ["--as-of", AS_OF])
    for fmt in ("md", "json"):
        best = (float("inf"), 0.0)
        for run in range(args.runs):
            out = os.path.join(args.work, f"idps-{connections}.{fmt}")
            wall, rss = measure([args.bin, "--db", db, "--config", config, "report", "idps", "--format", fmt], stdout=out)
            print(f"[{label}] report idps --format {fmt} ({connections} connections) run {run + 1}: "
                  f"{wall:.2f} s, peak {rss:.0f} MiB", flush=True)
            best = min(best, (wall, rss))
        rows.append((label, f"featurearr report idps --format {fmt}, {connections:,} enterprise connections", *best, False))
    os.remove(db)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10k,100k,1M")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "featurearr"))
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "bench"))
    ap.add_argument("--regen", action="store_true", help="write the inputs again even if present")
    ap.add_argument("--out", default=None, help="where to write the table (default WORK/results.md)")
    ap.add_argument("--only", default="featurearr,lean,duckdb,pandas,postgres", help="tools to run (comma-separated)")
    ap.add_argument("--duckdb-cli", default=None, help="the DuckDB 1.5.6 CLI that runs scripts/bench_lean.sql")
    ap.add_argument("--idps-connections", type=parse_size, default=0,
                    help="also time report idps on a store with this many enterprise connections (e.g. 224k)")
    args = ap.parse_args()
    only = set(args.only.split(","))
    os.makedirs(args.work, exist_ok=True)
    py = sys.executable
    rows = []  # (size, tool, wall, rss, is_whole)
    notes = []

    for size in [parse_size(s) for s in args.sizes.split(",")]:
        label = size_label(size)
        data = os.path.join(args.work, f"data-{label}")
        inputs = os.path.join(data, "inputs")
        marker = os.path.join(data, ".complete")
        if args.regen or not os.path.exists(marker):
            shutil.rmtree(data, ignore_errors=True)
            print(f"[{label}] featurearr demo --workspaces {size}", flush=True)
            wall, rss = measure([args.bin, "demo", "--workspaces", str(size), "--dir", data])
            gen = sum(
                os.path.getsize(os.path.join(inputs, f)) for f in os.listdir(inputs) if AS_OF in f
            )
            notes.append(
                f"{label}: `featurearr demo` (write 3 snapshots of inputs, load them, render every report) "
                f"took {wall:.1f} s, peak {rss:.0f} MiB; newest snapshot's inputs {gen / 2**20:.0f} MiB"
            )
            open(marker, "w").write(str(size))
        config = os.path.join(inputs, "featurearr.toml")
        p = lambda name: os.path.join(inputs, f"{name}-{AS_OF}.{'json' if name == 'auth0' else 'csv'}")  # noqa: E731
        numbers = {}

        if "featurearr" in only:
            steps = [
                ("load flags", ["load", "flags", p("flags"), "--as-of", AS_OF], None),
                ("load arr", ["load", "arr", p("arr"), "--as-of", AS_OF], None),
                ("load workspace-accounts", ["load", "workspace-accounts", p("workspace-accounts"), "--as-of", AS_OF], None),
                ("load auth0", ["load", "auth0", p("auth0"), "--as-of", AS_OF], None),
                ("report revenue-share", ["report", "revenue-share", "--format", "json"], "share.json"),
                ("report idps", ["report", "idps", "--format", "json"], "idps.json"),
                ("doctor", ["doctor", "--format", "json"], "doctor.json"),
            ]
            best_steps = {name: (float("inf"), 0.0) for name, _, _ in steps}
            best_total = (float("inf"), 0.0)
            # The work of the lean baseline: the three CSV loads and revenue-share.
            lean_steps = {"load flags", "load arr", "load workspace-accounts", "report revenue-share"}
            best_lean_part = (float("inf"), 0.0)
            for run in range(args.runs):
                db = os.path.join(args.work, f"featurearr-{label}.duckdb")
                for f in (db, db + ".wal"):
                    if os.path.exists(f):
                        os.remove(f)
                total, peak = 0.0, 0.0
                part, part_peak = 0.0, 0.0
                for name, argv, out in steps:
                    cmd = [args.bin, "--db", db, "--config", config] + argv
                    wall, rss = measure(cmd, stdout=os.path.join(args.work, out) if out else None)
                    total += wall
                    peak = max(peak, rss)
                    if name in lean_steps:
                        part += wall
                        part_peak = max(part_peak, rss)
                    if wall < best_steps[name][0]:
                        best_steps[name] = (wall, rss)
                if total < best_total[0]:
                    best_total = (total, peak)
                if part < best_lean_part[0]:
                    best_lean_part = (part, part_peak)
                print(f"[{label}] featurearr run {run + 1}: {total:.2f} s, peak {peak:.0f} MiB", flush=True)
            rows.append((label, "featurearr end to end (7 processes)", *best_total, True))
            rows.append((label, "featurearr loads + revenue-share (4 processes)", *best_lean_part, "lean"))
            for name, _, _ in steps:
                rows.append((label, f"featurearr {name}", *best_steps[name], False))
            numbers["featurearr"] = featurearr_numbers(
                os.path.join(args.work, "share.json"), os.path.join(args.work, "idps.json")
            )

        if "lean" in only:
            if not args.duckdb_cli:
                sys.exit("--duckdb-cli PATH is needed for the lean baseline (scripts/bench installs it)")
            best = (float("inf"), 0.0)
            out = os.path.join(args.work, f"lean-{label}.json")
            db = os.path.join(args.work, f"lean-{label}.duckdb")
            variables = lean_variables(inputs)
            for run in range(args.runs):
                for f in (db, db + ".wal"):
                    if os.path.exists(f):
                        os.remove(f)
                cmd = [args.duckdb_cli, db, "-json", "-bail", "-cmd", variables, "-f", os.path.join(HERE, "bench_lean.sql")]
                wall, rss = measure(cmd, stdout=out)
                print(f"[{label}] lean DuckDB run {run + 1}: {wall:.2f} s, peak {rss:.0f} MiB", flush=True)
                best = min(best, (wall, rss))
            rows.append((label, "lean DuckDB (one SQL script, DuckDB 1.5.6 CLI)", *best, "lean"))
            if "featurearr" in only:
                compare_lean(label, os.path.join(args.work, "share.json"), out)

        for tool, script, extra in (
            ("duckdb", "bench_duckdb.py", ["--db", os.path.join(args.work, f"direct-{label}.duckdb")]),
            ("pandas", "bench_pandas.py", []),
        ):
            if tool not in only:
                continue
            best = (float("inf"), 0.0)
            out = os.path.join(args.work, f"{tool}-{label}.json")
            for run in range(args.runs):
                wall, rss = measure([py, os.path.join(HERE, script), "--inputs", inputs, "--as-of", AS_OF] + extra, stdout=out)
                print(f"[{label}] {tool} run {run + 1}: {wall:.2f} s, peak {rss:.0f} MiB", flush=True)
                if wall < best[0]:
                    best = (wall, rss)
            name = "direct DuckDB (Python duckdb)" if tool == "duckdb" else "pandas"
            rows.append((label, name, *best, True))
            numbers[tool] = json.load(open(out))
        if len(numbers) > 1:
            compare(label, numbers)
        if args.idps_connections and "featurearr" in only:
            measure_idps(args, label, inputs, config, args.idps_connections, rows)

        if "postgres" in only:
            pg_rows, note = bench_postgres(
                label, inputs, AS_OF, args.bin, config, args.work, args.runs, measure
            )
            rows.extend(pg_rows)
            if note:
                notes.append(note)

    # --- the table
    def baseline(size, name):
        for r in rows:
            if r[0] == size and r[1].startswith(name):
                return r
        return None

    lines = [
        "| size | tool | wall s | peak RSS MiB | × lean DuckDB | × direct DuckDB | × pandas |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    # `whole` is True for rows doing all the work of the Python baselines, "lean" for
    # rows doing the lean baseline's (three loads and revenue-share), False for steps.
    for size, tool, wall, rss, whole in rows:
        ratios = []
        for name, kind in (("lean DuckDB", "lean"), ("direct DuckDB", True), ("pandas", True)):
            b = baseline(size, name)
            ratios.append(f"{wall / b[2]:.2f}" if whole == kind and b else "")
        lines.append(f"| {size} | {tool} | {wall:.2f} | {rss:.0f} | {ratios[0]} | {ratios[1]} | {ratios[2]} |")
    m = machine()
    text = "\n".join(lines)
    header = (
        f"Machine: {m['nproc']} cores ({m['cpu']}), kernel {m['kernel']}; best of {args.runs} runs; "
        "wall time and peak RSS of whole processes (featurearr end to end: the sum of its 7 processes' "
        "wall times and the largest peak among them; loads + revenue-share: the same over its 4 processes).\n\n```\n" + m["free"] + "\n```\n"
    )
    body = header + "\n" + text + "\n" + ("\n" + "\n".join(f"- {n}" for n in notes) + "\n" if notes else "")
    print("\n" + body)
    out = args.out or os.path.join(args.work, "results.md")
    with open(out, "w") as f:
        f.write(body)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
