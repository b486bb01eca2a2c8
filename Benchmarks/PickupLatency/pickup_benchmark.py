#!/usr/bin/env python3
"""Pickup latency side by side: the release lockerd against the Python stack an integrator would
write (reference_stack.py beside this file), in one run, interleaved, each on its own simulated
Kerong CU16 board behind a pseudo-terminal that this script plays (status replies from its doors
and item sensors; an unlock opens the door, which the "person" closes after the stack saw it open).

What is timed: from writing the key-down event of the code's last digit into the keypad FIFO the
stack reads (the same 24-byte `struct input_event` a USB keypad delivers; a complete code opens
at once, without ENTER) to the Kerong unlock frame arriving at the board. In the same run, a bare SQLite commit of the reference stack's pickup transaction (WAL,
synchronous=FULL) is timed in this process after every pair, so lockerd's time above the fsync
both stacks pay can be read off.

lockerd's parcels are deposited through lockerd itself (a courier on the keypad, the door opened
and closed on the board); the reference stack's are seeded into its database. Each key-down
comes at a random moment of the 250 ms poll cycle, as a resident's would.

With --drain-pickups N, lockerd alone then does N more pickups while its uplink drains a backlog
(see `drain_phase`): the same timing, next to the quiet figures.

Usage: pickup_benchmark.py LOCKERD [--pickups 256] [--poll-ms 250] [--keep]
                           [--drain-pickups N --drain-backlog EVENTS --seeder UPLINK_DRAIN_BENCHMARK]
Standard library, pyserial (for the reference stack) and, for the drain phase, cryptography (the
contract server's and the cabinet's Ed25519 key); Linux only.
"""

import argparse
import base64
import json
import math
import os
import random
import re
import secrets
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_stack  # noqa: E402
from simulated_cu16 import BOARD_ADDRESS, LOCKS, SimulatedCU16  # noqa: E402

EVENT = struct.Struct("llHHi")
EV_SYN, EV_KEY = 0, 1
KEYS = {**{str(n + 1): 2 + n for n in range(9)}, "0": 11, "enter": 28, "menu": 78}
GOAL_ABOVE_COMMIT_US = 150
GOAL_P99_MS = 5.0
# lockerd's default uplink batch (uplink.batchEvents): a queue deeper than this is still draining.
DRAIN_BATCH_EVENTS = 1000
COURIER = ("1001", "4321")
TIMEOUT_S = 10.0


# The rig plays the keypad and the boards, and timestamps the unlock frame's arrival: a board's
# UART does that in hardware, so the rig must not wait for a core behind the processes it
# measures (during the drain it did, by several ms). It runs at this nice value when it may
# (root, or an RLIMIT_NICE that allows it); everything it starts runs at 0 (`at_normal_priority`).
RIG_NICE = -5


def raise_rig_priority():
    """The rig's own nice value: RIG_NICE if it may lower it, else what it was."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, RIG_NICE)
    except PermissionError:
        pass
    return os.getpriority(os.PRIO_PROCESS, 0)


def at_normal_priority(nice=0):
    """For subprocess's preexec_fn: the child runs at `nice`, not at the rig's priority."""
    return lambda: os.setpriority(os.PRIO_PROCESS, 0, nice)


class BenchError(Exception):
    pass


def log(message):
    print("pickup: " + message, file=sys.stderr, flush=True)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def key_event(code, value):
    now = time.time()
    seconds = int(now)
    return (EVENT.pack(seconds, int((now - seconds) * 1e6), EV_KEY, code, value)
            + EVENT.pack(seconds, 0, EV_SYN, 0, 0))


class Rig:
    """Both stacks, their boards, lockerd's display FIFO, and one loop that serves them all."""

    def __init__(self, directory, lockerd, poll_ms):
        self.directory = directory
        self.poll_seconds = poll_ms / 1000
        self.lockerd_board = SimulatedCU16("lockerd")
        self.reference_board = SimulatedCU16("reference")
        self.display_lines = []
        self.processes = []
        keypads = {}
        for name in ("lockerd", "reference"):
            path = os.path.join(directory, name + "-keypad.events")
            os.mkfifo(path)
            # Read-write: opening never waits for the reader, and the reader never sees an end.
            keypads[name] = (path, os.open(path, os.O_RDWR))
        self.lockerd_keypad = keypads["lockerd"][1]
        self.reference_keypad = keypads["reference"][1]
        display = os.path.join(directory, "display.fifo")
        os.mkfifo(display)
        self.display = os.open(display, os.O_RDWR | os.O_NONBLOCK)
        self.display_buffer = b""

        self.lockerd_binary = lockerd
        self.state = os.path.join(directory, "lockerd-state")
        os.mkdir(self.state)
        self.maintenance_socket = os.path.join(self.state, "maintenance.sock")
        self.configuration = {
            "cabinetID": "pickup-benchmark",
            "boards": [{"address": BOARD_ADDRESS, "kind": "kerong-cu16", "device": self.lockerd_board.path,
                        "channels": LOCKS, "hasItemSensors": True, "pollMilliseconds": poll_ms}],
            "compartments": [{"label": "A%02d" % n, "size": "S", "board": BOARD_ADDRESS, "channel": n} for n in range(1, LOCKS + 1)],
            "couriers": [{"id": COURIER[0], "name": "Ann", "pin": COURIER[1]}],
            "keypads": [{"name": "keypad", "kind": "hid", "device": keypads["lockerd"][0]}],
            "display": {"kind": "file", "path": display, "columns": 20, "rows": 4},
        }
        self.lockerd_log = open(os.path.join(directory, "lockerd.log"), "w")
        self.lockerd = None
        self.start_lockerd()

        self.key = secrets.token_bytes(32)
        self.reference_database = os.path.join(directory, "reference.sqlite")
        reference_stack.open_database(self.reference_database).close()
        self.reference = subprocess.Popen(
            [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_stack.py"),
             self.reference_database, self.reference_board.path, keypads["reference"][0], self.key.hex(), "--poll-ms", str(poll_ms),
             "--board", str(BOARD_ADDRESS)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, preexec_fn=at_normal_priority())
        self.processes.append(self.reference)
        if self.reference.stdout.readline().strip() != b"ready":
            raise BenchError("the reference stack did not start")

        # The bare commit: the reference stack's pickup transaction, in this process, on its own
        # database in the same directory.
        self.bare_database = os.path.join(directory, "bare.sqlite")
        self.bare_codes = []
        self.bare = None

    def start_lockerd(self, uplink=None):
        """Starts lockerd on the rig's state directory; with `uplink` (the configuration's section)
        it uploads its events."""
        configuration = dict(self.configuration, **({"uplink": uplink} if uplink else {}))
        config_path = os.path.join(self.directory, "cabinet.json")
        with open(config_path, "w") as file:
            json.dump(configuration, file)
        self.lockerd = subprocess.Popen(
            [self.lockerd_binary, "--state-directory", self.state, "--config", config_path,
             "--maintenance-socket", self.maintenance_socket, "--log-format", "text", "--log-level", "warning"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.lockerd_log, preexec_fn=at_normal_priority())
        self.processes.append(self.lockerd)

    def stop_lockerd(self):
        self.lockerd.send_signal(signal.SIGTERM)
        try:
            self.lockerd.wait(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise BenchError("lockerd did not stop within %.0f s of SIGTERM" % TIMEOUT_S)
        if self.lockerd.returncode != 0:
            raise BenchError("lockerd stopped with status %d (its log: %s)" % (self.lockerd.returncode, self.lockerd_log.name))

    def maintenance(self, command):
        """One request on lockerd's maintenance socket (the protocol lockerctl speaks); its answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(TIMEOUT_S)
            connection.connect(self.maintenance_socket)
            connection.sendall(json.dumps({"v": 1, "id": 1, "command": command}).encode() + b"\n")
            answer = b""
            while not answer.endswith(b"\n"):
                chunk = connection.recv(65536)
                if not chunk:
                    raise BenchError("lockerd closed the maintenance socket without answering %s" % command)
                answer += chunk
        return json.loads(answer)

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.lockerd_log.close()

    def pump(self, seconds):
        """Serves the boards and reads the display for `seconds` (at least one look)."""
        deadline = time.monotonic() + seconds
        boards = {self.lockerd_board.master: self.lockerd_board, self.reference_board.master: self.reference_board}
        while True:
            readable, _, _ = select.select(list(boards) + [self.display], [], [], max(0.0, deadline - time.monotonic()))
            for fd in readable:
                if fd == self.display:
                    self.read_display()
                    continue
                data = os.read(fd, 4096)
                boards[fd].feed(data, time.perf_counter_ns())
            if time.monotonic() >= deadline:
                return
            if self.lockerd.poll() is not None:
                raise BenchError("lockerd exited with status %d (its log: %s)" % (self.lockerd.returncode, self.lockerd_log.name))

    def read_display(self):
        try:
            self.display_buffer += os.read(self.display, 65536)
        except BlockingIOError:
            return
        *lines, self.display_buffer = self.display_buffer.split(b"\n")
        self.display_lines.extend(line.decode(errors="replace") for line in lines)

    def wait_for(self, predicate, what, timeout=TIMEOUT_S):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise BenchError("waited %.0f s for %s; display said: %s" % (timeout, what, self.display_lines[-5:]))
            self.pump(0.001)

    def wait_for_display(self, pattern, what, since):
        """The first line from index `since` on that matches `pattern`."""
        regex = re.compile(pattern)
        found = []

        def seen():
            for line in self.display_lines[since:]:
                match = regex.search(line)
                if match:
                    found.append(match)
                    return True
            return False
        self.wait_for(seen, what)
        return found[0]

    def press(self, keypad, keys, pause=0.003):
        for key in keys:
            os.write(keypad, key_event(KEYS[key], 1))
            os.write(keypad, key_event(KEYS[key], 0))
            self.pump(pause)

    def deposit_in_lockerd(self, count, round_number):
        """A courier deposits `count` parcels; returns (code, lock) pairs from the display."""
        mark = len(self.display_lines)
        self.press(self.lockerd_keypad, ["menu"] + list(COURIER[0]) + ["enter"] + list(COURIER[1]) + ["enter"])
        self.wait_for_display(r"(?i)hello", "the courier's login", mark)
        deposited = []
        for index in range(count):
            unlocks = len(self.lockerd_board.unlocks)
            tracking = "%04d%04d" % (round_number, index)
            mark = len(self.display_lines)
            self.press(self.lockerd_keypad, list(tracking) + ["enter"])
            self.wait_for_display(r"(?i)size", "the size question", mark)
            mark = len(self.display_lines)
            self.press(self.lockerd_keypad, ["enter"])
            self.wait_for(lambda: len(self.lockerd_board.unlocks) > unlocks, "the deposit's unlock frame")
            lock = self.lockerd_board.unlocks[-1][1]
            self.lockerd_board.after_seen_open[lock] = True
            match = self.wait_for_display(r"(?i)pickup code (\d+)", "the deposit's pickup code", mark)
            deposited.append((match.group(1), lock))
        mark = len(self.display_lines)
        self.press(self.lockerd_keypad, ["menu"])
        self.wait_for_display(r"(?i)logged out", "the courier's logout", mark)
        return deposited

    def pickup(self, keypad, board, code):
        """Types the code; returns nanoseconds from its last digit's key-down to the unlock frame
        (a complete code opens the door at once, without ENTER)."""
        self.press(keypad, list(code[:-1]), pause=0.02)
        # A resident's last key comes at any moment of the board's poll cycle (and, as a person's,
        # some time after the key before it).
        self.pump(0.05 + random.uniform(0.0, self.poll_seconds))
        unlocks = len(board.unlocks)
        down, up = key_event(KEYS[code[-1]], 1), key_event(KEYS[code[-1]], 0)
        started = time.perf_counter_ns()
        os.write(keypad, down)
        self.wait_for(lambda: len(board.unlocks) > unlocks, "the pickup's unlock frame (%s)" % board.name, timeout=5)
        arrived, lock = board.unlocks[unlocks]
        os.write(keypad, up)
        # The resident takes the parcel and closes the door once the stack saw it open; the next
        # pickup comes after this one is over, as at a cabinet.
        board.after_seen_open[lock] = False
        self.wait_for(lambda: lock not in board.after_seen_open, "door %d seen open (%s)" % (lock, board.name))
        self.pump(2 * self.poll_seconds)
        return arrived - started

    def bare_commit(self):
        """The reference stack's pickup transaction alone, timed in this process."""
        code = self.bare_codes.pop()
        started = time.perf_counter_ns()
        reference_stack.commit_pickup(self.bare, self.key, code)
        return time.perf_counter_ns() - started


class DrainServer:
    """The central server for the drain phase: ../UplinkDrain/contract_server.py (written from the
    uplink contract), on loopback, with lockerd's signing key enrolled. Its database goes on a
    tmpfs when there is one: the central server runs on another machine, and its fsyncs on this
    disk would be charged to the cabinet's pickups."""

    def __init__(self, directory, state, nice=0):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

        # The cabinet's uplink key, made here (as lockerd would on its first start with an uplink)
        # so that the server can be started with it enrolled.
        key = Ed25519PrivateKey.generate()
        key_path = os.path.join(state, "uplink.ed25519")
        with open(os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
            file.write(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))
        public = base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
        self.directory = tempfile.mkdtemp(prefix="pickup-bench-server-", dir="/dev/shm" if os.path.isdir("/dev/shm") else directory)
        script = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "UplinkDrain", "contract_server.py")
        self.process = subprocess.Popen([sys.executable, script, os.path.join(self.directory, "server.sqlite"), public],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        # --server-nice: how much of the 2 cores the stand-in for
                                        # a remote server may take from the cabinet.
                                        preexec_fn=at_normal_priority(nice))
        line = self.process.stdout.readline().decode().split()
        if len(line) != 2 or line[0] != "port":
            self.stop()
            raise BenchError("the contract server did not start")
        self.url = "http://127.0.0.1:%s" % line[1]

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def drain_phase(rig, seeder, pickups, backlog, first_round, server_nice=0):
    """lockerd's pickups while its uplink drains a backlog: per round of up to 16 parcels, a
    courier deposits them (untimed), lockerd is stopped, `backlog` events are recorded into its
    database (`seeder`: uplink-drain-benchmark seed), and lockerd starts again with the uplink
    pointed at the contract server; once the server's acknowledgements move the queue, the round's
    pickups are timed exactly as in the quiet phase. After each pickup lockerd's queue is read
    (maintenance socket): a pickup counts as during the drain only if more than one batch was
    still waiting after its unlock frame. Returns (times in ns, the queue depths after each pickup,
    drain rates in events/s)."""
    server = DrainServer(rig.directory, rig.state, server_nice)
    times, depths, rates = [], [], []
    round_number = first_round
    try:
        while len(times) < pickups:
            deposited = rig.deposit_in_lockerd(min(LOCKS, pickups - len(times)), round_number)
            round_number += 1
            rig.wait_for(lambda: not any(rig.lockerd_board.doors) and not rig.lockerd_board.after_seen_open, "the doors closed")
            rig.stop_lockerd()
            seeded = subprocess.run([seeder, "seed", os.path.join(rig.state, "lockerd.sqlite"), str(backlog)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=at_normal_priority())
            if seeded.returncode != 0:
                raise BenchError("seeding the backlog failed: %s" % seeded.stderr.decode(errors="replace").strip())
            mark = len(rig.display_lines)
            rig.start_lockerd(uplink={"url": server.url})
            rig.wait_for_display(r".", "lockerd's first screen after its restart", mark)
            # Timed only once the drain runs: the queue's depth has gone down from the backlog.
            first = None
            deadline = time.monotonic() + 3 * TIMEOUT_S
            while True:
                try:
                    queue = rig.maintenance("queue")["queue"]
                except (FileNotFoundError, ConnectionRefusedError):
                    # The maintenance socket comes up a moment after the first screen.
                    if time.monotonic() > deadline:
                        raise BenchError("lockerd's maintenance socket did not come up")
                    rig.pump(0.05)
                    continue
                if first is None:
                    first = (queue["depth"], time.monotonic())
                elif queue["depth"] < first[0]:
                    break
                if time.monotonic() > deadline:
                    raise BenchError("the uplink did not start draining: %s" % queue)
                rig.pump(0.05)
            started = (queue["depth"], time.monotonic())
            for code, lock in deposited:
                times.append(rig.pickup(rig.lockerd_keypad, rig.lockerd_board, code))
                depths.append(rig.maintenance("queue")["queue"]["depth"])
            rates.append((started[0] - depths[-1]) / (time.monotonic() - started[1]))
            log("%d of %d pickups during the drain (queue %d events after the last; drained %.0f events/s)"
                % (len(times), pickups, depths[-1], rates[-1]))
        rig.wait_for(lambda: not any(rig.lockerd_board.doors) and not rig.lockerd_board.after_seen_open, "the doors closed")
    finally:
        server.stop()
    return times, depths, rates


def summary(values_ns):
    return tuple(percentile(values_ns, f) / 1000 for f in (0.5, 0.9, 0.99))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lockerd")
    parser.add_argument("--pickups", type=int, default=256)
    parser.add_argument("--poll-ms", type=int, default=250)
    parser.add_argument("--keep", action="store_true", help="keep the working directory (lockerd's log and state)")
    parser.add_argument("--drain-pickups", type=int, default=0,
                        help="then this many lockerd pickups while its uplink drains a backlog (0: none)")
    parser.add_argument("--drain-backlog", type=int, default=300_000, help="events recorded before each round of 16 drain pickups")
    parser.add_argument("--server-nice", type=int, default=0,
                        help="run the contract server at this nice value (19: it takes only CPU lockerd leaves idle)")
    parser.add_argument("--seeder", help="the uplink-drain-benchmark executable, which records the backlog (needed with --drain-pickups)")
    arguments = parser.parse_args()
    if arguments.drain_pickups > 0 and not arguments.seeder:
        parser.error("--drain-pickups needs --seeder (the uplink-drain-benchmark executable)")

    rig_nice = raise_rig_priority()
    directory = tempfile.mkdtemp(prefix="pickup-bench-")
    rig = None
    try:
        rig = Rig(directory, os.path.abspath(arguments.lockerd), arguments.poll_ms)
        rig.wait_for_display(r".", "lockerd's first screen", 0)
        # Everything the reference stack and the bare commit will be asked for, seeded at once.
        reference_codes = ["%08d" % random.randrange(10**8) for _ in range(arguments.pickups)]
        reference_codes = list(dict.fromkeys(reference_codes))
        reference_stack.seed(rig.reference_database, rig.key, [(code, 1 + n % LOCKS) for n, code in enumerate(reference_codes)])
        bare_codes = ["%08d" % n for n in range(len(reference_codes))]
        reference_stack.seed(rig.bare_database, rig.key, [(code, 1 + n % LOCKS) for n, code in enumerate(bare_codes)])
        rig.bare = reference_stack.open_database(rig.bare_database)
        rig.bare_codes = bare_codes

        lockerd_ns, reference_ns, bare_ns = [], [], []
        round_number = 0
        while len(lockerd_ns) < len(reference_codes):
            count = min(LOCKS, len(reference_codes) - len(lockerd_ns))
            deposited = rig.deposit_in_lockerd(count, round_number)
            round_number += 1
            for code, lock in deposited:
                # Interleaved, the order alternating, so a busy moment of the machine hits both.
                order = [("lockerd", code), ("reference", reference_codes[len(reference_ns)])]
                if len(lockerd_ns) % 2:
                    order.reverse()
                for stack, stack_code in order:
                    if stack == "lockerd":
                        lockerd_ns.append(rig.pickup(rig.lockerd_keypad, rig.lockerd_board, stack_code))
                    else:
                        reference_ns.append(rig.pickup(rig.reference_keypad, rig.reference_board, stack_code))
                bare_ns.append(rig.bare_commit())
            # Every door closed again (the pickups committed) before the next courier comes.
            rig.wait_for(lambda: not any(rig.lockerd_board.doors) and not rig.lockerd_board.after_seen_open, "the doors closed")
            rig.pump(2 * arguments.poll_ms / 1000)
            log("%d of %d pickups per stack" % (len(lockerd_ns), len(reference_codes)))

        if lockerd_ns:
            lockerd, reference, bare = summary(lockerd_ns), summary(reference_ns), summary(bare_ns)
            load = os.getloadavg()
            print("Pickup: last key-down of the code to the unlock frame at the simulated CU16 board (polled every %d ms), "
                  "%d pickups per stack, interleaved; the rig at nice %d; load average %.2f %.2f %.2f on %d cores"
                  % (arguments.poll_ms, len(lockerd_ns), rig_nice, *load, os.cpu_count()))
            print("| stack | p50 µs | p90 µs | p99 µs | goal |")
            print("| --- | --- | --- | --- | --- |")
            print("| lockerd (release) | %.0f | %.0f | %.0f | p99 ≤ %.0f ms on a quiet machine |" % (*lockerd, GOAL_P99_MS))
            print("| Python reference stack | %.0f | %.0f | %.0f | |" % reference)
            print("| bare SQLite commit of the pickup transaction (WAL, synchronous=FULL) | %.0f | %.0f | %.0f | |" % bare)
            # A difference of medians; the tails of two distributions do not subtract.
            print("| lockerd above the bare commit (p50 - p50) | %.0f | | | ≤ %d µs |" % (lockerd[0] - bare[0], GOAL_ABOVE_COMMIT_US))
            print("| lockerd / reference | %.2f | %.2f | %.2f | < 1 at p50 |"
                  % (lockerd[0] / reference[0], lockerd[1] / reference[1], lockerd[2] / reference[2]))

        if arguments.drain_pickups > 0:
            drain_ns, depths, rates = drain_phase(rig, os.path.abspath(arguments.seeder), arguments.drain_pickups,
                                                  arguments.drain_backlog, round_number, arguments.server_nice)
            during = [ns for ns, depth in zip(drain_ns, depths) if depth > DRAIN_BATCH_EVENTS]
            load = os.getloadavg()
            print()
            print("Pickup while the uplink drains a backlog (%d events recorded before each round of up to %d pickups, "
                  "uploaded with the default uplink settings to contract_server.py on loopback (nice %d), its database on tmpfs; "
                  "drained at %s events/s); the rig at nice %d; load average %.2f %.2f %.2f on %d cores"
                  % (arguments.drain_backlog, LOCKS, arguments.server_nice, ", ".join("%.0f" % rate for rate in rates), rig_nice,
                     *load, os.cpu_count()))
            print("%d of %d pickups with more than one batch (%d events) still queued after their unlock frame "
                  "(queue after each round's last pickup: %s)"
                  % (len(during), len(drain_ns), DRAIN_BATCH_EVENTS,
                     ", ".join(str(depth) for index, depth in enumerate(depths) if index % LOCKS == LOCKS - 1 or index == len(depths) - 1)))
            print("| lockerd (release) | pickups | p50 µs | p90 µs | p99 µs | goal |")
            print("| --- | --- | --- | --- | --- | --- |")
            if lockerd_ns:
                print("| quiet (above) | %d | %.0f | %.0f | %.0f | |" % (len(lockerd_ns), *summary(lockerd_ns)))
            if during:
                print("| during the drain | %d | %.0f | %.0f | %.0f | p99 ≤ %.0f ms |" % (len(during), *summary(during), GOAL_P99_MS))
            else:
                print("| during the drain | 0 | | | | no pickup while more than one batch was queued: raise --drain-backlog |")
    except BenchError as error:
        print("pickup benchmark failed: %s" % error, file=sys.stderr)
        if rig:
            log("working directory kept: " + directory)
        return 1
    finally:
        if rig:
            rig.stop()
    if not arguments.keep:
        shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
