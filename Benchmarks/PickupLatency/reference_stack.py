#!/usr/bin/env python3
"""The pickup path as an integrator would write it in Python: the reference lockerd is measured
against in the pickup benchmark (pickup_benchmark.py beside it).

One Kerong CU16 board on a serial line (pyserial), polled for status every POLL_MS with 5 ms of
silence between bus transactions (what lockerd does on its bus); a USB keypad read as evdev
`struct input_event` records; SQLite in WAL mode with synchronous=FULL; pickup codes stored only
as HMAC-SHA256 under a device key. On a code it looks it up, commits the pickup event and the
parcel's new state in one transaction, then writes the unlock frame. As on lockerd, a code opens
at its last digit (CODE_LENGTH), and ENTER submits a shorter one. Nothing else: no display, no
lockout, no door watch, no outbox, no hash chain. It is the floor a plain stack reaches, not a
rival product.

Usage: reference_stack.py DATABASE SERIAL_DEVICE KEYPAD_PATH KEY_HEX [--poll-ms 250] [--board 1]
The database is seeded beforehand with `seed` (the benchmark imports this module to do it).
Prints "ready" on standard output once it polls; stops on SIGTERM.
"""

import argparse
import hashlib
import hmac
import os
import select
import signal
import sqlite3
import struct
import sys
import time

try:
    import serial
except ImportError:  # the benchmark imports this module too: say what to install, not a traceback
    sys.exit("reference_stack.py needs pyserial: install Debian's python3-serial (make bench-pickup does) "
             "and run it with /usr/bin/python3")

EVENT = struct.Struct("llHHi")  # struct input_event on 64-bit Linux: timeval, type, code, value
EV_KEY = 1
KEY_DIGITS = {82: "0", 79: "1", 80: "2", 81: "3", 75: "4", 76: "5", 77: "6", 71: "7", 72: "8", 73: "9",
              11: "0", **{2 + n: str(n + 1) for n in range(9)}}
KEY_ENTERS = {28, 96}
CODE_LENGTH = 8
GAP_SECONDS = 0.005
REPLY_TIMEOUT_SECONDS = 0.2


def open_database(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("""CREATE TABLE IF NOT EXISTS parcels (
        id INTEGER PRIMARY KEY, code_hash TEXT UNIQUE, compartment INTEGER, state TEXT)""")
    db.execute("""CREATE TABLE IF NOT EXISTS events (
        sequence INTEGER PRIMARY KEY, kind TEXT, parcel INTEGER, compartment INTEGER, at REAL)""")
    return db


def code_hash(key, code):
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def seed(path, key, parcels):
    """parcels: (code, compartment) pairs, stored as deposited."""
    db = open_database(path)
    with db:
        db.execute("BEGIN")
        db.executemany("INSERT INTO parcels (code_hash, compartment, state) VALUES (?, ?, 'stored')",
                       [(code_hash(key, code), compartment) for code, compartment in parcels])
    db.close()


def commit_pickup(db, key, code):
    """The compartment to open, after the pickup is durable; None for a wrong code."""
    row = db.execute("SELECT id, compartment FROM parcels WHERE code_hash = ? AND state = 'stored'",
                     (code_hash(key, code),)).fetchone()
    if row is None:
        return None
    parcel, compartment = row
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO events (kind, parcel, compartment, at) VALUES ('pickup.door_opened', ?, ?, ?)",
               (parcel, compartment, time.time()))
    db.execute("UPDATE parcels SET state = 'opened' WHERE id = ?", (parcel,))
    db.execute("COMMIT")
    return compartment


def frame(address, command):
    body = bytes([0x02, address, command, 0x03])
    return body + bytes([sum(body) & 0xFF])


class Board:
    """A Kerong CU16 on the bus: one transaction at a time, 5 ms of silence between them."""

    def __init__(self, device, board):
        self.port = serial.Serial(device, 19200, timeout=REPLY_TIMEOUT_SECONDS)
        self.board = board
        self.quiet_from = 0.0

    def wait_for_gap(self):
        pause = self.quiet_from - time.monotonic()
        if pause > 0:
            time.sleep(pause)

    def unlock(self, lock):
        self.wait_for_gap()
        self.port.write(frame((self.board << 4) | (lock - 1), 0x31))
        self.quiet_from = time.monotonic() + GAP_SECONDS

    def status(self):
        self.wait_for_gap()
        self.port.reset_input_buffer()
        self.port.write(frame(self.board << 4, 0x30))
        reply = self.port.read(9)
        self.quiet_from = time.monotonic() + GAP_SECONDS
        return reply if len(reply) == 9 and reply[2] == 0x35 else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("serial_device")
    parser.add_argument("keypad")
    parser.add_argument("key_hex")
    parser.add_argument("--poll-ms", type=int, default=250)
    parser.add_argument("--board", type=int, default=1)
    arguments = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    key = bytes.fromhex(arguments.key_hex)
    db = open_database(arguments.database)
    board = Board(arguments.serial_device, arguments.board)
    keypad = os.open(arguments.keypad, os.O_RDONLY | os.O_NONBLOCK)
    poll_every = arguments.poll_ms / 1000
    pending = b""
    typed = ""
    next_poll = time.monotonic()
    print("ready", flush=True)
    while True:
        timeout = max(0.0, next_poll - time.monotonic())
        readable, _, _ = select.select([keypad], [], [], timeout)
        if readable:
            pending += os.read(keypad, 4096)
            while len(pending) >= EVENT.size:
                _, _, kind, code, value = EVENT.unpack_from(pending)
                pending = pending[EVENT.size:]
                if kind != EV_KEY or value != 1:
                    continue
                if code in KEY_DIGITS:
                    typed += KEY_DIGITS[code]
                if len(typed) == CODE_LENGTH or code in KEY_ENTERS:
                    compartment = commit_pickup(db, key, typed)
                    typed = ""
                    if compartment is not None:
                        board.unlock(compartment)
        if time.monotonic() >= next_poll:
            board.status()
            next_poll = time.monotonic() + poll_every


if __name__ == "__main__":
    main()
