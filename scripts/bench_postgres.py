#!/usr/bin/env python3
"""The PostgreSQL step of scripts/bench: `load flags postgresql://... --query` against
`load flags FILE.csv` on the same rows (issue 17's target: at most 1.2 times the CSV).

Starts a throwaway PostgreSQL server (Debian's binaries, /usr/lib/postgresql/*/bin) in
a temporary folder on a free port of 127.0.0.1, as the `postgres` user when run as root
(initdb refuses root), with TLS from a self-signed certificate. Loads the flags CSV into
a typed table, then times, interleaved and best of N, a fresh store's `load flags` from
the CSV file, from the table with sslmode=disable, and with sslmode=require. Checks that
the three snapshots give the same revenue-share JSON, and stops the server however the
step ends.
"""

import contextlib
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

PASSWORD = "bench-only-password"
QUERY = (
    "SELECT workspace_id, workspace_name, users, sso_enabled, scim_enabled, mfa_enforced, "
    "ip_allowlist_enabled FROM flags"
)


def server_binaries():
    """The newest /usr/lib/postgresql/N/bin holding initdb, or None."""
    found = sorted(
        (int(os.path.basename(os.path.dirname(b))), b)
        for b in glob.glob("/usr/lib/postgresql/*/bin")
        if os.path.basename(os.path.dirname(b)).isdigit() and os.path.exists(os.path.join(b, "initdb"))
    )
    return found[-1][1] if found else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        sys.exit(f"FAILED ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    return proc.stdout


@contextlib.contextmanager
def throwaway_server():
    """Yields (port, psql) for a new server; stops it and removes its folder afterwards."""
    bin_dir = server_binaries()
    if bin_dir is None:
        raise FileNotFoundError("no /usr/lib/postgresql/*/bin/initdb")
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = tempfile.mkdtemp(prefix="featurearr-bench-pg-")
    data = os.path.join(folder, "data")
    port = free_port()
    try:
        with open(os.path.join(folder, "pwfile"), "w") as f:
            f.write(PASSWORD)
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "2", "-subj", "/CN=localhost", "-keyout", os.path.join(folder, "server.key"),
             "-out", os.path.join(folder, "server.crt")])
        os.chmod(os.path.join(folder, "server.key"), 0o600)
        os.chmod(folder, 0o755)
        if as_postgres:
            for path in [folder] + [os.path.join(folder, f) for f in os.listdir(folder)]:
                shutil.chown(path, "postgres", "postgres")
        run(as_postgres + [os.path.join(bin_dir, "initdb"), "-D", data, "-U", "bench", "-A", "scram-sha-256",
                           "--auth-local=trust", "-E", "UTF8", "--no-locale", "--no-sync",
                           "--pwfile=" + os.path.join(folder, "pwfile")])
        run(as_postgres + [os.path.join(bin_dir, "pg_ctl"), "-D", data, "-l", os.path.join(folder, "log"), "-w",
                           "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c ssl=on "
                                 f"-c ssl_cert_file={folder}/server.crt -c ssl_key_file={folder}/server.key "
                                 "-c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start"])

        def psql(sql):
            return run([os.path.join(bin_dir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", folder,
                        "-p", str(port), "-U", "bench", "-d", "postgres", "-f", "-"], input=sql)

        yield port, psql
    finally:
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            subprocess.run(as_postgres + [os.path.join(bin_dir, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"],
                           capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def bench_postgres(label, inputs, as_of, binary, config, work, runs, measure):
    """Returns table rows (size, tool, wall, rss, whole) and a note with the ratios."""
    flags_csv = os.path.join(inputs, f"flags-{as_of}.csv")
    try:
        server = throwaway_server()
        port, psql = server.__enter__()
    except FileNotFoundError:
        print(f"[{label}] postgres: skipped, no PostgreSQL server (apt-get install postgresql)", flush=True)
        return [], None
    try:
        started = time.perf_counter()
        psql(
            "CREATE TABLE flags (workspace_id text, workspace_name text, users integer, sso_enabled boolean, "
            "scim_enabled boolean, mfa_enforced boolean, ip_allowlist_enabled boolean);\n"
            f"\\copy flags FROM '{flags_csv}' CSV HEADER\n"
            "VACUUM ANALYZE flags;\n"
        )
        print(f"[{label}] postgres: table loaded in {time.perf_counter() - started:.1f} s", flush=True)
        url = f"postgresql://bench@127.0.0.1:{port}/postgres?sslmode="
        variants = [
            ("load flags FILE.csv", [flags_csv]),
            ("load flags postgresql:// (sslmode=disable)", [url + "disable", "--query", QUERY]),
            ("load flags postgresql:// (sslmode=require)", [url + "require", "--query", QUERY]),
        ]
        env = dict(os.environ, PGPASSWORD=PASSWORD)
        best = {name: (float("inf"), 0.0) for name, _ in variants}
        for run_no in range(runs):
            # Interleaved: the machine's drift hits every variant alike.
            for name, source in variants:
                db = os.path.join(work, f"pg-{label}.duckdb")
                for f in (db, db + ".wal"):
                    if os.path.exists(f):
                        os.remove(f)
                cmd = [binary, "--db", db, "--config", config, "load", "flags"] + source + ["--as-of", as_of]
                wall, rss = measure(cmd, env=env)
                best[name] = min(best[name], (wall, rss))
                print(f"[{label}] {name} run {run_no + 1}: {wall:.2f} s, peak {rss:.0f} MiB", flush=True)
        check_same_report(label, variants, binary, config, inputs, as_of, work, env)
    finally:
        server.__exit__(None, None, None)
    csv_wall = best[variants[0][0]][0]
    rows = [(label, f"featurearr {name}", wall, rss, False) for name, (wall, rss) in best.items()]
    ratios = ", ".join(
        f"{name.split('(')[1].rstrip(')')} {best[name][0] / csv_wall:.2f}x" for name, _ in variants[1:]
    )
    note = f"{label}: `load flags postgresql://` against `load flags FILE.csv` (target at most 1.2x): {ratios}"
    print(f"[{label}] postgres / csv: {ratios}", flush=True)
    return rows, note


def check_same_report(label, variants, binary, config, inputs, as_of, work, env):
    """Loads each variant's flags with the same ARR and mapping; the revenue-share JSON must agree."""
    reports = {}
    for name, source in variants:
        db = os.path.join(work, f"pg-check-{label}.duckdb")
        for f in (db, db + ".wal"):
            if os.path.exists(f):
                os.remove(f)
        base = [binary, "--db", db, "--config", config]
        for argv in (["load", "flags"] + source, ["load", "arr", os.path.join(inputs, f"arr-{as_of}.csv")],
                     ["load", "workspace-accounts", os.path.join(inputs, f"workspace-accounts-{as_of}.csv")]):
            run(base + argv + ["--as-of", as_of], env=env)
        report = json.loads(run(base + ["report", "revenue-share", "--format", "json"], env=env))
        report.pop("snapshots", None)
        reports[name] = report
    first = next(iter(reports.values()))
    for name, report in reports.items():
        if report != first:
            sys.exit(f"\nREPORTS DISAGREE at {label}: {name} differs from {variants[0][0]}")
    print(f"[{label}] postgres: the same revenue-share JSON from the CSV and from the table", flush=True)
