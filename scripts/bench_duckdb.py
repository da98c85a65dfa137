#!/usr/bin/env python3
"""Baseline for scripts/bench: featurearr's revenue-share and IdP numbers computed
directly in DuckDB (the Python package), from the same input files, into a DuckDB file.

Reads the four inputs of one snapshot written by `featurearr demo` (workspace flags CSV,
Salesforce report-export CSV with money strings and footer, workspace-accounts CSV,
Auth0 dump JSON) and the demo's featurearr.toml (rates, connection name pattern), does
the SPEC 3 joins and aggregations in SQL, and prints the numbers as JSON on stdout
(ARR in cents, as integers, so the three tools can be compared exactly).

    bench_duckdb.py --inputs DIR --as-of 2026-09-30 --db out.duckdb
"""

import argparse
import json
import os
import sys
import tomllib

import duckdb

from bench_common import (
    BY_HOST,
    BY_PATH,
    BY_STRATEGY,
    ENTERPRISE,
    FEATURES,
    URL_FIELDS,
    id18_sql,
    input_paths,
    rate_parts,
)


def q(s):
    """A SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--log-days", type=int, default=30)
    args = ap.parse_args()

    paths = input_paths(args.inputs, args.as_of)
    with open(paths["config"], "rb") as f:
        config = tomllib.load(f)
    rates = {code: rate_parts(value) for code, value in config["currency"]["rates"].items()}
    reporting = config["currency"].get("reporting", "USD")
    pattern = config["auth0"]["connection_name_pattern"]

    for p in (args.db, args.db + ".wal"):
        if os.path.exists(p):
            os.remove(p)
    con = duckdb.connect(args.db)
    con.execute("CREATE MACRO flag(x) AS coalesce(lower(trim(x)) IN ('true', 't', 'yes', 'y', '1'), false)")
    con.execute(f"CREATE MACRO id18(x) AS {id18_sql('x')}")
    # Half-even rounding of p / d for p >= 0, as featurearr converts currencies.
    con.execute(
        "CREATE MACRO div_half_even(p, d) AS "
        "(p // d) + CASE WHEN 2 * (p % d) > d OR (2 * (p % d) = d AND (p // d) % 2 = 1) THEN 1 ELSE 0 END"
    )

    # --- workspace flags
    flag_cols = ", ".join(f"flag({col}) AS {key}" for key, col in FEATURES)
    con.execute(
        f"""CREATE TABLE flags AS
        SELECT trim(workspace_id) AS workspace_id, coalesce(TRY_CAST(users AS BIGINT), 0) AS users, {flag_cols}
        FROM read_csv({q(paths['flags'])}, header = true, all_varchar = true)"""
    )

    # --- Salesforce report export: footer lines are short rows (padded with NULL) that
    # do not hold an account ID; money is `USD 1,200.00`, `$1,200.00` or `1200.00`.
    rate_case = " ".join(
        f"WHEN {q(code)} THEN div_half_even(cents * {m}, {10 ** s})" for code, (m, s) in rates.items()
    )
    con.execute(
        f"""CREATE TABLE arr_rows AS
        WITH raw AS (
            SELECT trim("Account ID") AS id, trim("Annual Recurring Revenue") AS money,
                   trim("Account Currency") AS currency_col, "Workspace ID" AS workspaces
            FROM read_csv({q(paths['arr'])}, header = true, all_varchar = true, null_padding = true,
                          delim = ',', quote = '"', escape = '"',
                          strict_mode = false)
            WHERE regexp_full_match(trim("Account ID"), '[0-9A-Za-z]{{15}}([0-9A-Za-z]{{3}})?')
        ), parsed AS (
            SELECT id18(id) AS account_id,
                   CAST(round(CAST(nullif(regexp_replace(money, '[^0-9.]', '', 'g'), '') AS DECIMAL(18, 2)) * 100)
                        AS BIGINT) AS cents,
                   coalesce(nullif(currency_col, ''), regexp_extract(money, '^([A-Za-z]{{3}})\\s', 1), {q(reporting)})
                       AS currency,
                   workspaces
            FROM raw
        )
        SELECT account_id, currency, workspaces,
               CASE currency WHEN {q(reporting)} THEN cents {rate_case} END AS arr_cents
        FROM parsed"""
    )
    con.execute(
        """CREATE TABLE accounts AS
        SELECT account_id, any_value(arr_cents) AS arr_cents, count(DISTINCT arr_cents) AS distinct_arr
        FROM arr_rows GROUP BY account_id"""
    )
    bad = con.execute("SELECT count(*) FROM accounts WHERE distinct_arr > 1").fetchone()[0]
    if bad:
        sys.exit(f"{paths['arr']}: {bad} accounts have rows with different ARR")

    # --- workspace links: the export's Workspace ID cell and the mapping file
    con.execute(
        f"""CREATE TABLE links AS
        SELECT DISTINCT workspace_id, account_id FROM (
            SELECT account_id, unnest(regexp_split_to_array(trim(workspaces), '[;,\\s]+')) AS workspace_id
            FROM arr_rows WHERE workspaces IS NOT NULL
            UNION ALL
            SELECT id18(trim(account_id)), trim(workspace_id)
            FROM read_csv({q(paths['workspace_accounts'])}, header = true, all_varchar = true)
        ) WHERE workspace_id <> ''"""
    )

    # --- customers and features (SPEC 3)
    bool_ors = ", ".join(f"bool_or(f.{key}) AS {key}" for key, _ in FEATURES)
    con.execute(
        f"""CREATE TABLE customer_workspaces AS
        SELECT l.account_id, l.workspace_id FROM links l
        JOIN accounts a ON a.account_id = l.account_id AND a.arr_cents > 0
        JOIN flags f ON f.workspace_id = l.workspace_id"""
    )
    con.execute(
        f"""CREATE TABLE customers AS
        SELECT cw.account_id, any_value(a.arr_cents) AS arr_cents, {bool_ors}
        FROM customer_workspaces cw JOIN accounts a USING (account_id) JOIN flags f USING (workspace_id)
        GROUP BY cw.account_id"""
    )
    per_feature = ", ".join(
        f"count(*) FILTER (WHERE {key}), coalesce(sum(arr_cents) FILTER (WHERE {key}), 0)" for key, _ in FEATURES
    )
    row = con.execute(f"SELECT count(*), coalesce(sum(arr_cents), 0), {per_feature} FROM customers").fetchone()
    result = {"customers": row[0], "arr_cents": int(row[1]), "features": {}}
    for i, (key, _) in enumerate(FEATURES):
        result["features"][key] = {"customers": row[2 + 2 * i], "arr_cents": int(row[3 + 2 * i])}

    # --- Auth0 dump: read only the log fields that count
    con.execute(
        f"""CREATE TABLE dump AS SELECT * FROM read_json({q(paths['auth0'])},
            format = 'unstructured', maximum_object_size = 2147483647,
            columns = {{connections: 'JSON[]', organizations: 'JSON[]',
                        logs: 'STRUCT(log_id VARCHAR, date VARCHAR, type VARCHAR, connection VARCHAR,
                                      connection_id VARCHAR)[]'}})"""
    )
    con.execute(
        """CREATE TABLE conns AS
        SELECT c ->> 'id' AS id, c ->> 'name' AS name, c ->> 'strategy' AS strategy, c -> 'options' AS options,
               nullif(trim(c -> 'metadata' ->> 'workspace_id'), '') AS workspace_id, ordinality AS pos
        FROM (SELECT unnest(connections) AS c, generate_subscripts(connections, 1) AS ordinality FROM dump)"""
    )
    con.execute(
        """CREATE TABLE org_conns AS
        SELECT DISTINCT o ->> 'id' AS org_id, nullif(trim(o -> 'metadata' ->> 'workspace_id'), '') AS workspace_id,
               unnest(json_extract_string(o, '$.enabled_connections[*].connection_id')) AS connection_id
        FROM (SELECT unnest(organizations) AS o FROM dump)"""
    )
    enterprise = ", ".join(q(s) for s in ENTERPRISE)
    by_strategy = " ".join(f"WHEN {q(s)} THEN {q(v)}" for s, v in BY_STRATEGY)
    host_case = " ".join(
        f"WHEN host = {q(p[2:])} OR host LIKE {q('%.' + p[2:])} THEN {q(v)}" if p.startswith("*.")
        else f"WHEN host = {q(p)} THEN {q(v)}"
        for p, v in BY_HOST
    )
    path_case = " ".join(f"WHEN contains(path, {q(n)}) THEN {q(v)}" for n, v in BY_PATH)
    url_list = ", ".join(f"options ->> {q('$.' + f)}" for f in URL_FIELDS)
    con.execute(
        f"""CREATE TABLE conn_urls AS
        WITH u AS (
            SELECT id, unnest([{url_list}]) AS url, generate_subscripts([{url_list}], 1) AS i
            FROM conns WHERE strategy IN ({enterprise})
        ), hp AS (
            SELECT id, i, lower(regexp_extract(url, '^(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[^@/?#]*@)?([^:/?#]*)', 1))
                       AS host,
                   lower(regexp_extract(url, '^(?:[A-Za-z][A-Za-z0-9+.-]*://)?[^/?#]*([^?#]*)', 1)) AS path
            FROM u WHERE url IS NOT NULL
        )
        SELECT id, i, CASE {host_case} END AS by_host, CASE {path_case} END AS by_path FROM hp WHERE host <> ''"""
    )
    con.execute(
        f"""CREATE TABLE idp_conns AS
        WITH cert AS (
            SELECT id, trim(coalesce(options ->> '$.subject.commonName', '')) AS cn,
                   trim(coalesce(options ->> '$.subject.organizationName', '')) AS o,
                   trim(coalesce(options ->> '$.subject.organizationalUnitName', '')) AS ou,
                   trim(coalesce(options ->> '$.subject.emailAddress', '')) AS email
            FROM conns
        ), cert_vendor AS (
            -- Only each vendor's real signing-certificate subject counts (issue 13).
            SELECT id, CASE
                WHEN ou = 'SSOProvider' AND (o = 'Okta' OR ends_with(email, '@okta.com')) THEN 'Okta'
                WHEN ou = 'Google For Work' AND cn = 'Google' AND starts_with(o, 'Google') THEN 'Google Workspace'
                WHEN cn = 'Microsoft Azure Federated SSO Certificate' THEN 'Microsoft Entra ID'
                WHEN (o = 'OneLogin' AND cn = 'app.onelogin.com')
                     OR (ou = 'OneLogin IdP' AND starts_with(cn, 'OneLogin Account ')) THEN 'OneLogin'
            END AS vendor FROM cert
        ), first_host AS (
            SELECT id, arg_min(by_host, i) AS vendor FROM conn_urls WHERE by_host IS NOT NULL GROUP BY id
        ), first_path AS (
            SELECT id, arg_min(by_path, i) AS vendor FROM conn_urls WHERE by_path IS NOT NULL GROUP BY id
        ), firsts AS (
            SELECT DISTINCT ON (id) * FROM conns ORDER BY id, pos
        )
        SELECT c.id, c.name, c.workspace_id, coalesce(
            CASE c.strategy {by_strategy} END, h.vendor, p.vendor, cv.vendor,
            CASE c.strategy WHEN 'oidc' THEN 'Other OIDC' WHEN 'sharepoint' THEN 'Microsoft SharePoint'
                            WHEN 'ip' THEN 'IP Address' ELSE 'Other SAML' END) AS vendor
        FROM firsts c
        LEFT JOIN first_host h USING (id) LEFT JOIN first_path p USING (id) LEFT JOIN cert_vendor cv USING (id)
        WHERE c.strategy IN ({enterprise})"""
    )
    # Connection metadata, else the metadata of every org enabling it, else the name pattern.
    con.execute(
        f"""CREATE TABLE conn_workspaces AS
        SELECT id, workspace_id FROM idp_conns WHERE workspace_id IS NOT NULL
        UNION
        SELECT c.id, oc.workspace_id FROM idp_conns c JOIN org_conns oc ON oc.connection_id = c.id
        WHERE c.workspace_id IS NULL AND oc.workspace_id IS NOT NULL
        UNION
        SELECT id, nullif(trim(regexp_extract(name, {q(pattern)}, 1)), '') FROM idp_conns c
        WHERE c.workspace_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM org_conns oc WHERE oc.connection_id = c.id AND oc.workspace_id IS NOT NULL)
          AND nullif(trim(regexp_extract(name, {q(pattern)}, 1)), '') IS NOT NULL"""
    )
    con.execute(
        f"""CREATE TABLE logins AS
        WITH l AS (SELECT unnest(logs, recursive := true) FROM dump),
        s AS (
            SELECT DISTINCT ON (coalesce(log_id, uuid()::VARCHAR)) * FROM l WHERE type = 's'
        ), names AS (SELECT name, arg_min(id, pos) AS id FROM conns GROUP BY name)
        SELECT coalesce(nullif(trim(s.connection_id), ''), n.id) AS connection_id, count(*) AS logins
        FROM s LEFT JOIN names n ON n.name = trim(s.connection)
        WHERE CAST(CAST(s.date AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS DATE)
              BETWEEN DATE {q(args.as_of)} - {args.log_days - 1} AND DATE {q(args.as_of)}
        GROUP BY 1"""
    )
    rows = con.execute(
        """WITH mapped AS (
            SELECT c.vendor, c.id, cw.workspace_id FROM idp_conns c JOIN conn_workspaces cw USING (id)
        ), per_vendor AS (
            SELECT vendor, count(DISTINCT id) AS connections, count(DISTINCT workspace_id) AS workspaces
            FROM mapped GROUP BY vendor
        ), vendor_customers AS (
            SELECT DISTINCT m.vendor, cw.account_id FROM mapped m
            JOIN customer_workspaces cw USING (workspace_id)
        ), vendor_arr AS (
            SELECT vc.vendor, count(*) AS customers, sum(c.arr_cents) AS arr_cents
            FROM vendor_customers vc JOIN customers c USING (account_id) GROUP BY vc.vendor
        ), vendor_logins AS (
            SELECT m.vendor, sum(l.logins) AS logins
            FROM (SELECT DISTINCT vendor, id FROM mapped) m JOIN logins l ON l.connection_id = m.id
            GROUP BY m.vendor
        )
        SELECT p.vendor, p.connections, p.workspaces, coalesce(a.customers, 0), coalesce(a.arr_cents, 0),
               coalesce(vl.logins, 0)
        FROM per_vendor p LEFT JOIN vendor_arr a USING (vendor) LEFT JOIN vendor_logins vl USING (vendor)
        ORDER BY p.vendor"""
    ).fetchall()
    result["idps"] = {
        r[0]: {"connections": r[1], "workspaces": r[2], "customers": r[3], "arr_cents": int(r[4]), "logins": int(r[5])}
        for r in rows
    }
    con.execute("CREATE TABLE result AS SELECT ?::JSON AS numbers", [json.dumps(result)])
    con.close()
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
