#!/usr/bin/env python3
"""Input for scripts/bench's `report idps` measurement at scale (issue 18): an Auth0 dump
with N enterprise connections, made from a `featurearr demo` dump.

The demo writes about one enterprise connection per SSO customer (20k at 1M
workspaces); a tenant with hundreds of thousands needs more. This keeps the demo
dump's organizations and logs, and repeats its enterprise connections (each with its
own options, so every vendor rule still applies) under new ids and names until there
are N, each clone mapped by `metadata.workspace_id` to a workspace of the flags file
(chosen with a fixed seed, so the dump is the same every time).

    bench_idps.py --inputs DIR --as-of 2026-09-30 --connections 224000 --out big.json
"""

import argparse
import copy
import csv
import json
import os
import random

from bench_common import ENTERPRISE, input_paths


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--connections", type=int, required=True, help="enterprise connections wanted")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=18)
    args = ap.parse_args()

    paths = input_paths(args.inputs, args.as_of)
    with open(paths["auth0"]) as f:
        dump = json.load(f)
    with open(paths["flags"], newline="") as f:
        workspaces = [row["workspace_id"] for row in csv.DictReader(f)]
    enterprise = [c for c in dump["connections"] if c.get("strategy") in ENTERPRISE]
    others = [c for c in dump["connections"] if c.get("strategy") not in ENTERPRISE]
    if not enterprise:
        raise SystemExit(f"{paths['auth0']} holds no enterprise connection to repeat")
    rng = random.Random(args.seed)
    connections = list(enterprise)
    clone = 0
    while len(connections) < args.connections:
        source = enterprise[clone % len(enterprise)]
        c = copy.deepcopy(source)
        c["id"] = f"con_bench{clone:011d}"
        c["name"] = f"{source['name']}-bench{clone}"
        c["metadata"] = {"workspace_id": rng.choice(workspaces)}
        connections.append(c)
        clone += 1
    dump["connections"] = others + connections
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write('{\n"connections": [\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in dump["connections"]))
        f.write('\n],\n"organizations": [\n')
        f.write(",\n".join(json.dumps(o, separators=(",", ":")) for o in dump["organizations"]))
        f.write('\n],\n"logs": [\n')
        f.write(",\n".join(json.dumps(x, separators=(",", ":")) for x in dump.get("logs", [])))
        f.write("\n]\n}\n")
    os.replace(tmp, args.out)
    print(f"{args.out}: {len(connections)} enterprise connections ({clone} repeated), "
          f"{len(dump['organizations'])} organizations, {len(dump.get('logs', []))} logs")


if __name__ == "__main__":
    main()
