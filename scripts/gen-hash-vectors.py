#!/usr/bin/env python3
"""Writes fixtures/hash-vectors.json: canonical JSON, fingerprint and audit-chain vectors
computed by an implementation independent of the C code (Python's json + hashlib), so the
unit tests pin the C canonical form against something it did not produce itself."""
import hashlib, json, os

def ints(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dict):
        return {k: ints(x) for k, x in v.items()}
    if isinstance(v, list):
        return [ints(x) for x in v]
    return v

def canonical(v):
    return json.dumps(ints(v), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

def tagged(text):
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()

inputs = [
    {},
    [],
    {"b": 1, "a": 2, "c": {"z": [3, 2, 1], "y": None}},
    {"name": "Trading Agent Alpha", "spending_limit": 50000, "ok": True, "no": False},
    {"quote\"back\\slash": "line\nbreak\ttab\rret\bbs\fff\u0001\u001f"},
    {"unicode": "caf\u00e9 \u65e5\u672c \U0001F600", "\u00e9": 1, "e": 2, "\U0001F600": 3, "z": 4},
    {"n": [0, -0.0, 1.5, -2.25, 0.1, 1e-7, 123456.789, 1e21, 1e12, 5e-324, 12.5, 99.99]},
    {"nested": {"deep": {"deeper": [{"k": "v"}, [], {}]}}},
    {"slash": "a/b", "del": "\u007f", "nul_free": "x"},
]
fingerprints = [
    {"id": "agent_7f3k9x2m00000000", "org_id": "org_acme0000000001", "name": "Trading Agent Alpha",
     "environment": "production", "created_at": "2026-01-15T10:30:00Z"},
    {"id": "agent_x", "org_id": "org_y", "name": "caf\u00e9 \"quoted\"", "environment": "sandbox",
     "created_at": "2026-11-23T00:00:00Z"},
]
chain, prev = [], None
for i, (action, payload) in enumerate([
    ("agent.registered", {"name": "Trading Agent Alpha", "environment": "production",
                          "authorized_actions": ["execute_trades"], "spending_limit": 50000,
                          "currency": "USD"}),
    ("agent.updated", {"field": "spending_limit", "old_value": 50000, "new_value": 12.5}),
    ("agent.suspended", {"previous_status": "active", "status": "suspended"}),
]):
    entry = {"id": "audit_%016d" % i, "agent_id": "agent_7f3k9x2m00000000", "action": action,
             "payload": payload, "actor_id": "user_0000000000000001",
             "created_at": "2026-01-15T10:3%d:00Z" % i, "previous_hash": prev}
    entry["payload_hash"] = tagged(canonical(entry))
    prev = entry["payload_hash"]
    chain.append(entry)

out = {
    "canonical": [{"input": v, "canonical": canonical(v), "sha256": tagged(canonical(v))} for v in inputs],
    "fingerprints": [dict(f, fingerprint=tagged(canonical(f))) for f in fingerprints],
    "audit_chain": chain,
}
path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "hash-vectors.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(out, f, indent=2, ensure_ascii=False)
    f.write("\n")
