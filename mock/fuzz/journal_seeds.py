#!/usr/bin/env python3
"""Seeds for fuzz_request from conformance traffic.

Reads a request journal (GET /_mock/requests?limit=N of a mock the conformance suite ran
against, as JSON on stdin) and writes one seed per distinct (method, route shape, status) into
the directory given, as fuzz_request inputs.  The journal masks keys, so each seed carries a
seed.json key that can make the call: Alsorn's admin key, Alter's app key, or the agent key for
the calls only an agent makes.  Ids in paths belong to the suite's tenants (the fuzzer's state
answers 404 for them); the bodies, queries and headers are what the seeds are for.

  ALSORN_BASE_URL=http://127.0.0.1:PORT build/test/conformance
  curl -s 'http://127.0.0.1:PORT/_mock/requests?limit=100000' | \\
      mock/fuzz/journal_seeds.py mock/fuzz/corpus/request
"""
import hashlib
import json
import re
import sys

ALSORN_ADMIN = "als_7d000c63d2ffd7422886f26caab11839703ca0ee9de57ca7432053bf9b129cd3"
ALTER_APP = "alter_key_app_uZbla2JKxtLTQeJKWsx2RMxR6RGnJZnp"
ALTER_AGENT = "alter_key_agent_vYbdGLvuFJqbqMnM6kNPOPkk2X7y3yZc"
AGENT_ONLY = ("/sdk/agents/me", "/sdk/token", "/sdk/proxy", "/sdk/approvals")
DROP = {"authorization", "x-api-key", "host", "content-length", "user-agent", "accept"}


def shape(path):
    return re.sub(r"/[^/]*[0-9][^/]*", "/{id}", path)


def seed(e):
    path = e["path"] + ("?" + e["query"] if e.get("query") else "")
    lines = [f"{e['method']} {path}"]
    if e["path"].startswith("/sdk/"):
        key = ALTER_AGENT if e["path"].startswith(AGENT_ONLY) else ALTER_APP
        lines.append(f"x-api-key: {key}")
    else:
        lines.append(f"Authorization: Bearer {ALSORN_ADMIN}")
    for name, value in (e.get("headers") or {}).items():
        if name.lower() not in DROP and "\n" not in value:
            lines.append(f"{name}: {value}")
    return ("\n".join(lines) + "\n\n" + (e.get("body") or "")).encode()


def main():
    out = sys.argv[1]
    seen = set()
    for e in json.load(sys.stdin)["data"]:
        k = (e["method"], shape(e["path"]), e.get("status"))
        if k in seen or e.get("body_truncated"):
            continue
        seen.add(k)
        data = seed(e)
        name = "journal-" + hashlib.sha1(data).hexdigest()[:12]
        with open(f"{out}/{name}", "wb") as f:
            f.write(data)
    print(f"{len(seen)} seeds", file=sys.stderr)


main()
