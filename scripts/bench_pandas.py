#!/usr/bin/env python3
"""Baseline for scripts/bench: featurearr's revenue-share and IdP numbers computed with
pandas from the same input files: the flags CSV, the Salesforce report export (money
strings such as `USD 1,200.00`, footer lines, 15-character IDs), the workspace-accounts
CSV and the Auth0 dump JSON. Prints the numbers as JSON on stdout (ARR in cents).

    bench_pandas.py --inputs DIR --as-of 2026-09-30
"""

import argparse
import datetime as dt
import json
import sys
import tomllib

import numpy as np
import pandas as pd

from bench_common import FEATURES, classify, id18, input_paths, rate_parts

TRUE = ["true", "t", "yes", "y", "1"]


def half_even(p, d):
    q, r = np.divmod(p, d)
    return q + ((2 * r > d) | ((2 * r == d) & (q % 2 == 1))).astype("int64")


def money_cents(s):
    """Exact cents from `USD 1,200.50`, `$1,200.50`, `1200.5` (NaN stays NaN)."""
    digits = s.str.replace(r"[^0-9.]", "", regex=True)
    parts = digits.str.split(".", n=1, expand=True)
    whole = pd.to_numeric(parts[0].replace("", np.nan), errors="raise")
    frac = parts[1] if 1 in parts.columns else pd.Series("", index=s.index)
    frac = frac.fillna("").str.ljust(2, "0").str[:2]
    return (whole * 100 + pd.to_numeric(frac)).astype("Int64")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--log-days", type=int, default=30)
    args = ap.parse_args()
    paths = input_paths(args.inputs, args.as_of)
    with open(paths["config"], "rb") as f:
        config = tomllib.load(f)
    reporting = config["currency"].get("reporting", "USD")
    rates = {code: rate_parts(v) for code, v in config["currency"]["rates"].items()}
    pattern = config["auth0"]["connection_name_pattern"]

    # --- flags
    flags = pd.read_csv(paths["flags"], dtype=str, keep_default_na=False)
    flags["workspace_id"] = flags["workspace_id"].str.strip()
    for key, col in FEATURES:
        flags[key] = flags[col].str.strip().str.lower().isin(TRUE)
    flags = flags[["workspace_id"] + [k for k, _ in FEATURES]]

    # --- Salesforce report export; footer rows are short and hold no account ID
    arr = pd.read_csv(paths["arr"], dtype=str, keep_default_na=False)
    ids = arr["Account ID"].str.strip()
    arr = arr[ids.str.fullmatch(r"[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?")].copy()
    arr["account_id"] = arr["Account ID"].str.strip().map(id18)
    money = arr["Annual Recurring Revenue"].str.strip()
    cents = money_cents(money.replace("", np.nan))
    currency = arr["Account Currency"].str.strip()
    text_code = money.str.extract(r"^([A-Za-z]{3})\s", expand=False)
    currency = currency.where(currency != "", text_code).fillna(reporting)
    converted = pd.Series(pd.NA, index=arr.index, dtype="Int64")
    same = currency == reporting
    converted[same] = cents[same]
    for code, (m, s) in rates.items():
        sel = (currency == code) & cents.notna()
        converted[sel] = half_even(cents[sel].astype("int64").to_numpy() * m, 10**s)
    arr["arr_cents"] = converted
    grouped = arr.groupby("account_id")["arr_cents"]
    if (grouped.nunique() > 1).any():
        sys.exit(f"{paths['arr']}: accounts with rows of different ARR")
    accounts = grouped.first().rename("arr_cents").reset_index()

    # --- links: the export's Workspace ID cell and the mapping file
    cell = arr[["account_id", "Workspace ID"]].copy()
    cell["workspace_id"] = cell["Workspace ID"].str.strip().str.split(r"[;,\s]+", regex=True)
    cell = cell.explode("workspace_id")[["workspace_id", "account_id"]]
    mapping = pd.read_csv(paths["workspace_accounts"], dtype=str, keep_default_na=False)
    mapping["workspace_id"] = mapping["workspace_id"].str.strip()
    mapping["account_id"] = mapping["account_id"].str.strip().map(id18)
    links = pd.concat([cell, mapping[["workspace_id", "account_id"]]])
    links = links[links["workspace_id"].notna() & (links["workspace_id"] != "")].drop_duplicates()

    # --- customers and features
    paying = accounts[accounts["arr_cents"] > 0]
    cw = links.merge(paying, on="account_id").merge(flags, on="workspace_id")
    agg = {"arr_cents": "first", **{k: "any" for k, _ in FEATURES}}
    customers = cw.groupby("account_id").agg(agg).reset_index()
    customers["arr_cents"] = customers["arr_cents"].astype("int64")
    result = {"customers": int(len(customers)), "arr_cents": int(customers["arr_cents"].sum()), "features": {}}
    for key, _ in FEATURES:
        has = customers[customers[key]]
        result["features"][key] = {"customers": int(len(has)), "arr_cents": int(has["arr_cents"].sum())}

    # --- Auth0
    with open(paths["auth0"], encoding="utf-8") as f:
        dump = json.load(f)
    org_ws = {}
    for org in dump["organizations"]:
        ws = ((org.get("metadata") or {}).get("workspace_id") or "").strip()
        for ec in org.get("enabled_connections") or []:
            cid = ec.get("connection_id")
            if cid and ws:
                org_ws.setdefault(cid, set()).add(ws)
    import re

    name_re = re.compile(pattern)
    conn_rows, map_rows, ids_by_name, seen = [], [], {}, set()
    for c in dump["connections"]:
        cid, name = c.get("id"), (c.get("name") or "").strip()
        ids_by_name.setdefault(name, cid)
        if cid in seen:
            continue
        seen.add(cid)
        vendor = classify(c)
        if vendor is None:
            continue
        conn_rows.append((cid, vendor))
        ws = ((c.get("metadata") or {}).get("workspace_id") or "").strip()
        if ws:
            map_rows.append((cid, ws))
        elif cid in org_ws:
            map_rows.extend((cid, w) for w in org_ws[cid])
        else:
            m = name_re.search(name)
            if m and m.group(1) and m.group(1).strip():
                map_rows.append((cid, m.group(1).strip()))
    conns = pd.DataFrame(conn_rows, columns=["connection_id", "vendor"])
    mapped = pd.DataFrame(map_rows, columns=["connection_id", "workspace_id"]).merge(conns, on="connection_id")

    logs = dump.get("logs") or []
    keys = ["log_id", "date", "type", "connection", "connection_id"]
    logs = pd.DataFrame({k: [log.get(k) for log in logs] for k in keys})
    del dump
    logs = logs[logs["type"] == "s"]
    logs = pd.concat([logs[logs["log_id"].isna()], logs[logs["log_id"].notna()].drop_duplicates("log_id")])
    by_name = logs["connection"].str.strip().map(ids_by_name)
    logs["cid"] = logs["connection_id"].str.strip().replace("", np.nan).fillna(by_name)
    day = pd.to_datetime(logs["date"], utc=True, format="ISO8601").dt.date
    end = dt.date.fromisoformat(args.as_of)
    start = end - dt.timedelta(days=args.log_days - 1)
    logins = logs[(day >= start) & (day <= end)].groupby("cid").size().rename("logins")

    per_vendor = mapped.groupby("vendor").agg(
        connections=("connection_id", "nunique"), workspaces=("workspace_id", "nunique")
    )
    vc = mapped.merge(cw[["workspace_id", "account_id"]], on="workspace_id")[["vendor", "account_id"]].drop_duplicates()
    vc = vc.merge(customers[["account_id", "arr_cents"]], on="account_id")
    vendor_arr = vc.groupby("vendor").agg(customers=("account_id", "size"), arr_cents=("arr_cents", "sum"))
    vl = mapped[["vendor", "connection_id"]].drop_duplicates().merge(
        logins, left_on="connection_id", right_index=True
    )
    vendor_logins = vl.groupby("vendor")["logins"].sum()
    result["idps"] = {}
    for vendor, row in per_vendor.iterrows():
        result["idps"][vendor] = {
            "connections": int(row["connections"]),
            "workspaces": int(row["workspaces"]),
            "customers": int(vendor_arr["customers"].get(vendor, 0)),
            "arr_cents": int(vendor_arr["arr_cents"].get(vendor, 0)),
            "logins": int(vendor_logins.get(vendor, 0)),
        }
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
