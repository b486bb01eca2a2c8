#!/usr/bin/env python3
"""A central server for the uplink drain benchmark, written from Sources/LockerUplink/openapi.yaml
alone (contract version 3), as a server team would write a first one.

It verifies each batch's Ed25519 signature against the cabinet's enrolled public key, recomputes
every event's hash and its link to the previous one, stores events idempotently on
(cabinet, epoch, sequence) in SQLite with synchronous=FULL (one durable commit per batch), holds
events that arrive beyond a gap within its window, and answers the contiguous high-water mark.
HTTP/1.1 with keep-alive, one thread per connection; gzip bodies accepted (announced) unless
--no-gzip.

Usage: contract_server.py DATABASE PUBLIC_KEY_BASE64 [--window N] [--window-events M] [--version V] [--no-gzip]
Prints "port N" on standard output once it listens on 127.0.0.1 (an ephemeral port); stops on
SIGTERM or when standard input closes.
"""

import argparse
import base64
import gzip
import hashlib
import json
import re
import sqlite3
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SIGNATURE = re.compile(r'signature="([^"]+)"')
GENESIS = "0" * 64


def recomputed_hash(event):
    """The contract's hash: its fields, one per line, joined with newlines."""
    fields = [
        event["previousHash"], str(event["sequence"]), event["epoch"], event["kind"],
        event["occurredAtSeconds"], event["monotonicNanoseconds"],
        "" if event.get("compartmentId") is None else str(event["compartmentId"]),
        "" if event.get("parcelId") is None else str(event["parcelId"]),
        event["payload"],
    ]
    return hashlib.sha256("\n".join(fields).encode()).hexdigest()


class Store:
    """Durable, idempotent storage; one lock, so batches are applied one at a time."""

    def __init__(self, path, window_events):
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("""CREATE TABLE IF NOT EXISTS events (
            cabinet TEXT, epoch TEXT, sequence INTEGER, hash TEXT, previous_hash TEXT, body TEXT,
            held INTEGER NOT NULL, PRIMARY KEY (cabinet, epoch, sequence))""")
        self.db.execute("""CREATE TABLE IF NOT EXISTS marks (
            cabinet TEXT, epoch TEXT, acked INTEGER, PRIMARY KEY (cabinet, epoch))""")
        self.lock = threading.Lock()
        self.window_events = window_events

    def apply(self, cabinet, batch):
        """Stores a batch; returns (status, answer dict)."""
        epoch = batch["epoch"]
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                row = self.db.execute("SELECT acked FROM marks WHERE cabinet=? AND epoch=?", (cabinet, epoch)).fetchone()
                acked = row[0] if row else batch["epochFirstSequence"] - 1
                previous_in_batch = None
                for event in batch["events"]:
                    if event["epoch"] != epoch:
                        self.db.execute("ROLLBACK")
                        return 400, {"code": "malformed", "message": "mixed epochs"}
                    sequence = event["sequence"]
                    known = self.db.execute("SELECT hash FROM events WHERE cabinet=? AND epoch=? AND sequence=?",
                                            (cabinet, epoch, sequence)).fetchone()
                    if known:
                        if known[0] != event["hash"]:
                            self.db.execute("ROLLBACK")
                            return 409, {"code": "hash_conflict", "message": f"event {sequence} differs", "sequence": sequence}
                        previous_in_batch = event["hash"]
                        continue
                    beyond_gap = sequence != acked + 1
                    if beyond_gap and sequence > acked + self.window_events:
                        break
                    if recomputed_hash(event) != event["hash"] or (
                            previous_in_batch is not None and event["previousHash"] != previous_in_batch):
                        self.db.execute("COMMIT")
                        return 422, {"code": "bad_hash", "message": f"event {sequence} does not recompute",
                                     "ackedSequence": acked, "sequence": sequence}
                    previous_in_batch = event["hash"]
                    self.db.execute("INSERT INTO events VALUES (?,?,?,?,?,?,?)",
                                    (cabinet, epoch, sequence, event["hash"], event["previousHash"],
                                     json.dumps(event, sort_keys=True), 1 if beyond_gap else 0))
                    if not beyond_gap:
                        acked = sequence
                # Held events right after the mark count now, in order.
                while True:
                    held = self.db.execute("SELECT 1 FROM events WHERE cabinet=? AND epoch=? AND sequence=? AND held=1",
                                           (cabinet, epoch, acked + 1)).fetchone()
                    if not held:
                        break
                    self.db.execute("UPDATE events SET held=0 WHERE cabinet=? AND epoch=? AND sequence=?",
                                    (cabinet, epoch, acked + 1))
                    acked += 1
                self.db.execute("INSERT OR REPLACE INTO marks VALUES (?,?,?)", (cabinet, epoch, acked))
                self.db.execute("COMMIT")
            except Exception:
                self.db.execute("ROLLBACK")
                raise
        return 200, {"epoch": epoch, "ackedSequence": acked}


def make_handler(store, public_key, version, window, window_events, accepts_gzip):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *arguments):
            pass

        def answer(self, status, document):
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            parts = self.path.strip("/").split("/")
            if len(parts) != 4 or parts[0] != "v1" or parts[1] != "cabinets" or parts[3] != "events":
                return self.answer(404, {"code": "not_found", "message": self.path})
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            encoding = self.headers.get("Content-Encoding", "identity")
            if encoding == "gzip" and accepts_gzip and version >= 3:
                try:
                    body = gzip.decompress(body)  # the signature covers the JSON
                except OSError:
                    return self.answer(400, {"code": "malformed", "message": "the gzip body does not decompress"})
            elif encoding != "identity":
                return self.answer(415, {"code": "unsupported_encoding", "message": encoding})
            match = SIGNATURE.search(self.headers.get("Lockerd-Signature", ""))
            try:
                public_key.verify(base64.b64decode(match.group(1)) if match else b"", body)
            except (InvalidSignature, ValueError):
                return self.answer(401, {"code": "bad_signature", "message": "the signature does not verify"})
            try:
                batch = json.loads(body)
            except ValueError:
                return self.answer(400, {"code": "malformed", "message": "not JSON"})
            status, document = store.apply(parts[2], batch)
            if status == 200:
                document["contractVersion"] = version
                if version >= 3:
                    document["window"] = window
                    document["windowEvents"] = window_events
                    if accepts_gzip:
                        document["contentEncodings"] = ["gzip"]
            self.answer(status, document)

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("public_key")
    parser.add_argument("--window", type=int, default=4)
    parser.add_argument("--window-events", type=int, default=8000)
    parser.add_argument("--version", type=int, default=3)
    parser.add_argument("--no-gzip", action="store_true")
    options = parser.parse_args()
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(options.public_key))
    store = Store(options.database, options.window_events if options.version >= 3 else 0)
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 make_handler(store, public_key, options.version, options.window, options.window_events,
                                              not options.no_gzip))
    server.daemon_threads = True
    print(f"port {server.server_address[1]}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # until the benchmark closes our standard input (or ends)
    server.shutdown()


if __name__ == "__main__":
    main()
