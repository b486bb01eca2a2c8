#!/usr/bin/env python3
"""The footprint of a release lockerd: binary size, exec-to-READY time, idle memory (RSS, PSS,
anon), CPU and wake-ups (the simulated cabinet, and one Kerong CU16 on a pseudo-terminal polled
every 250 ms), and memory after many deposits and pickups through the simulated cabinet's front
panel, with its growth after a warm-up.

    python3 Benchmarks/footprint.py .build-release/release/lockerd [--cycles 10000] [--idle-seconds 60]

Goals on the project's 2-core machine: idle RSS <= 20 MiB and PSS <= 18 MiB (the median of
several starts), exec to READY <= 200 ms, idle CPU < 0.5 % of one core and <= 5 wake-ups a second
(simulated cabinet), <= 0.2 % and <= 3 wake-ups per poll with one CU16, RSS growth <= 1 MiB after
the warm-up; stripped lockerd <= 60 MB and lockerctl <= 15 MB (10^6 bytes). Memory is reported in
MiB, as /proc counts it. Standard library only; Linux only (reads /proc).
Prints a table on standard output, progress on standard error; exits 0, or non-zero with a
message when lockerd cannot be started, never becomes READY, or the cabinet misbehaves.
"""

import argparse
import grp
import json
import math
import os
import queue
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "PickupLatency"))
from simulated_cu16 import SimulatedCU16  # noqa: E402  (the pickup benchmark's simulated board)

TARGET_RSS_MB = 20.0
TARGET_PSS_MB = 18.0
TARGET_GROWTH_MB = 1.0
TARGET_READY_MS = 200.0
TARGET_IDLE_CPU_PERCENT = 0.5
TARGET_IDLE_WAKE_UPS = 5.0
TARGET_BOARD_CPU_PERCENT = 0.2
TARGET_WAKE_UPS_PER_POLL = 3.0
BOARD_POLL_MS = 250
MARK_TIMEOUT_S = 60.0
COURIER_LOGIN = "press menu 1001 enter 4321 enter"
COURIER_LOGOUT = "press enter 2"
# Board 1's doors have item sensors (README "The front panel"); `show` is read to confirm.
DEFAULT_SENSOR_DOORS = {"A%02d" % n for n in range(1, 17)}
# Memory is in MiB (2^20 bytes, as /proc reports it in KiB); binary sizes in MB (10^6 bytes, as
# a package's download is counted).
MIB = 1024 * 1024
# lockerd as the package installs it: its maintenance group is in /etc/group (the package creates
# `lockerd-maint`), so glibc's `files` answers the look-up at start. A machine without that group
# would make glibc go on to `libnss_systemd` for the missing name and keep it mapped (about 320 KiB
# more RSS and PSS), which no installed cabinet pays: name the rig's own group instead.
MAINTENANCE_GROUP = grp.getgrgid(os.getegid()).gr_name
TARGET_STRIPPED_MB = {"lockerd": 60.0, "lockerctl": 15.0}


class BenchError(Exception):
    pass


def log(message):
    print("footprint: " + message, file=sys.stderr, flush=True)


def percentile(values, fraction):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def proc_status(path):
    """The numeric fields of a /proc/.../status file (memory in kB)."""
    fields = {}
    with open(path) as status:
        for line in status:
            key, _, value = line.partition(":")
            parts = value.split()
            if parts and parts[0].isdigit():
                fields[key] = int(parts[0])
    return fields


def cpu_ticks(pid):
    """utime + stime of the whole process (all threads, live and dead), in clock ticks."""
    with open("/proc/%d/stat" % pid) as stat:
        text = stat.read()
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "; comm may hold spaces
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)


def wake_ups(pid):
    """Voluntary context switches by thread id: each is a thread that slept and was woken (a timer,
    a descriptor, another thread). Involuntary ones are preemptions."""
    counts = {}
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            fields = proc_status("/proc/%d/task/%s/status" % (pid, task))
        except OSError:
            continue  # the thread ended meanwhile
        counts[task] = fields.get("voluntary_ctxt_switches", 0)
    return counts


def woken(before, after):
    """Wake-ups between two `wake_ups` readings, thread by thread: a thread that ended in between
    (dispatch lets idle worker threads go) must not take its earlier count off the total, as a
    plain difference of sums did (a negative rate once the cabinet woke rarely). A thread that
    ended counts nothing for the window (its last few wake-ups are lost); one that began counts
    all of its own."""
    return sum(count - before.get(task, 0) for task, count in after.items())


def memory(pid):
    """RSS, PSS and anonymous memory. After sync(2): the pages of a binary just linked are dirty
    in the page cache and would otherwise count as the process's private dirty memory."""
    os.sync()
    s = proc_status("/proc/%d/status" % pid)
    try:
        rollup = proc_status("/proc/%d/smaps_rollup" % pid)
    except OSError:
        rollup = {}
    nan = float("nan")
    return {
        "rss": s.get("VmRSS", 0) / 1024.0, "hwm": s.get("VmHWM", 0) / 1024.0,
        "anon": s.get("RssAnon", 0) / 1024.0, "file": s.get("RssFile", 0) / 1024.0,
        "pss": rollup["Pss"] / 1024.0 if "Pss" in rollup else nan,
        "dirty": rollup["Private_Dirty"] / 1024.0 if "Private_Dirty" in rollup else nan,
        "threads": s.get("Threads", 0),
    }


def describe(m):
    return ("RSS %.1f MiB, PSS %.1f MiB, anon %.1f MiB (file %.1f, private dirty %.1f; %d threads)"
            % (m["rss"], m["pss"], m["anon"], m["file"], m["dirty"], m["threads"]))


def rss_by_mapping(pid, binary):
    """Resident MiB of lockerd's own image, of shared libraries, and of anonymous memory."""
    image = os.path.realpath(binary)
    totals = {"image": 0, "libraries": 0, "anonymous": 0}
    kind = "anonymous"
    with open("/proc/%d/smaps" % pid) as smaps:
        for line in smaps:
            fields = line.split()
            if not fields:
                continue
            if not fields[0].endswith(":"):  # a mapping's header: range perms offset dev inode [path]
                path = fields[5] if len(fields) > 5 else ""
                if path.startswith("/"):
                    kind = "image" if os.path.realpath(path) == image else "libraries"
                else:
                    kind = "anonymous"  # heap, stacks, [vdso] and the like
            elif fields[0] == "Rss:":
                totals[kind] += int(fields[1])
    return {key: value / 1024.0 for key, value in totals.items()}


class Daemon:
    """One lockerd process, started with $NOTIFY_SOCKET pointing at a socket of ours."""

    def __init__(self, bench, state_directory, manual_clock=True, front_panel=True, stdout=None, extra=()):
        self.bench = bench
        self.state_directory = state_directory
        os.makedirs(state_directory, exist_ok=True)
        arguments = [bench.binary, "--state-directory", state_directory]
        if front_panel:
            arguments.append("--front-panel")
        if manual_clock:
            arguments.append("--manual-clock")
        arguments += ["--maintenance-socket", os.path.join(state_directory, "m.sock"), "--log-level", "warning",
                      "--maintenance-group", MAINTENANCE_GROUP] + list(extra)
        self.arguments = arguments
        self.stdout = stdout
        self.process = None
        self.ready_seconds = None
        self.stderr_path = os.path.join(bench.work, "stderr-%d.log" % bench.next_serial())

    def start(self):
        notify_path = os.path.join(self.bench.work, "notify-%d.sock" % self.bench.next_serial())
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            notify.bind(notify_path)
            environment = dict(os.environ, NOTIFY_SOCKET=notify_path)
            for name in ("WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID"):
                environment.pop(name, None)
            with open(self.stderr_path, "wb") as stderr:
                started = time.perf_counter()
                try:
                    self.process = subprocess.Popen(
                        self.arguments, env=environment, stdin=subprocess.PIPE,
                        stdout=self.stdout if self.stdout is not None else subprocess.DEVNULL,
                        stderr=stderr, close_fds=True)
                except OSError as error:
                    raise BenchError("cannot start %s: %s" % (self.arguments[0], error))
            self.bench.processes.append(self.process)
            deadline = started + self.bench.options.ready_timeout
            while True:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    raise BenchError("lockerd did not send READY=1 within %.0f s\n%s"
                                     % (self.bench.options.ready_timeout, self.stderr_tail()))
                readable, _, _ = select.select([notify], [], [], min(remaining, 0.05))
                if readable:
                    datagram = notify.recv(65536)
                    arrived = time.perf_counter()
                    if "READY=1" in datagram.decode("utf-8", "replace").split("\n"):
                        self.ready_seconds = arrived - started
                        return self
                elif self.process.poll() is not None:
                    raise BenchError("lockerd exited with status %s before READY=1\n%s"
                                     % (self.process.returncode, self.stderr_tail()))
        finally:
            notify.close()
            try:
                os.unlink(notify_path)
            except OSError:
                pass

    def stderr_tail(self, lines=15):
        try:
            with open(self.stderr_path, "rb") as stderr:
                text = stderr.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return "(no standard error)"
        return "lockerd %s\nstandard error (last %d lines):\n  %s" % (
            " ".join(self.arguments[1:]), lines, "\n  ".join(text[-lines:]) or "(empty)")

    @property
    def pid(self):
        return self.process.pid

    def stop(self):
        """quit on the front panel (or SIGTERM), then SIGKILL if it lingers."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            if "--front-panel" in self.arguments:
                process.stdin.write(b"quit\n")
                process.stdin.flush()
            process.stdin.close()
        except OSError:
            pass
        try:
            process.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            pass
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class FrontPanel:
    """Drives a front-panel lockerd over its standard input; output read by a thread."""

    def __init__(self, daemon):
        self.daemon = daemon
        self.lines = queue.Queue()
        self.serial = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.daemon.process.stdout:
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self.lines.put(None)

    def run(self, commands):
        """Sends the commands and a mark; returns the output lines up to the mark."""
        self.serial += 1
        mark = "mark %d" % self.serial
        text = "".join(command + "\n" for command in commands) + mark + "\n"
        try:
            self.daemon.process.stdin.write(text.encode())
            self.daemon.process.stdin.flush()
        except OSError as error:
            raise BenchError("lockerd stopped reading its front panel (%s)\n%s" % (error, self.daemon.stderr_tail()))
        output = []
        deadline = time.monotonic() + MARK_TIMEOUT_S
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise BenchError("no '%s' from lockerd within %.0f s after: %s"
                                 % (mark, MARK_TIMEOUT_S, "; ".join(commands)))
            if line is None:
                raise BenchError("lockerd exited (status %s) during: %s\n%s"
                                 % (self.daemon.process.wait(), "; ".join(commands), self.daemon.stderr_tail()))
            if line == mark:
                return output
            output.append(line)


def expect(lines, pattern, what, commands):
    for line in lines:
        match = re.search(pattern, line)
        if match:
            return match
    raise BenchError("%s: expected /%s/ after %s; lockerd printed:\n  %s"
                     % (what, pattern, "; ".join(commands), "\n  ".join(lines[-20:])))


def check_no_errors(lines, what):
    errors = [line for line in lines if line.startswith("error:")]
    if errors:
        raise BenchError("%s: %s" % (what, "; ".join(errors)))


class Bench:
    def __init__(self, options):
        self.options = options
        self.binary = os.path.abspath(options.lockerd)
        self.work = tempfile.mkdtemp(prefix="lockerd-footprint-")
        self.processes = []
        self.serial = 0
        self.rows = []  # (measure, value, target, verdict)

    def next_serial(self):
        self.serial += 1
        return self.serial

    def state(self, name):
        return os.path.join(self.work, name)

    def row(self, measure, value, target="", ok=None):
        self.rows.append((measure, value, target, "" if ok is None else ("ok" if ok else "MISSED")))

    def cleanup(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            for stream in (process.stdin, process.stdout):
                try:
                    if stream:
                        stream.close()
                except OSError:
                    pass
        shutil.rmtree(self.work, ignore_errors=True)

    # 1. binary size
    def binary_sizes(self):
        directory = os.path.dirname(self.binary)
        for name, path in (("lockerd", self.binary), ("lockerctl", os.path.join(directory, "lockerctl"))):
            if not os.path.isfile(path):
                continue
            size = os.path.getsize(path)
            text = "%d bytes (%.1f MB)" % (size, size / 1e6)
            stripped_size = None
            strip = shutil.which("strip")
            if strip:
                stripped = os.path.join(self.work, name + ".stripped")
                if subprocess.run([strip, "-o", stripped, path], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL).returncode == 0:
                    stripped_size = os.path.getsize(stripped)
                    text += "; stripped %d bytes (%.1f MB)" % (stripped_size, stripped_size / 1e6)
                    os.unlink(stripped)
            goal = TARGET_STRIPPED_MB[name]
            self.row("binary size, " + name, text, "stripped <= %.0f MB" % goal,
                     None if stripped_size is None else stripped_size / 1e6 <= goal)
            needed = self.needed_libraries(path)
            if needed is not None:
                self.row("shared libraries " + name + " needs", ", ".join(needed))

    @staticmethod
    def needed_libraries(path):
        """The NEEDED entries of `path`'s dynamic section (readelf), or None without readelf."""
        readelf = shutil.which("readelf")
        if not readelf:
            return None
        result = subprocess.run([readelf, "-d", "-W", path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True, env=dict(os.environ, LC_ALL="C"))
        return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", result.stdout)

    # 2. exec to READY
    def ready_runs(self, label, state_for_run, runs):
        times = []
        for run in range(runs):
            daemon = Daemon(self, state_for_run(run))
            try:
                daemon.start()
                times.append(daemon.ready_seconds * 1000.0)
            finally:
                daemon.stop()
        p50, p90, worst = percentile(times, 0.5), percentile(times, 0.9), max(times)
        self.row("exec to READY, %s (%d runs)" % (label, runs),
                 "p50 %.0f ms, p90 %.0f ms, max %.0f ms" % (p50, p90, worst),
                 "<= %.0f ms" % TARGET_READY_MS, p90 <= TARGET_READY_MS)
        log("READY %s: %s" % (label, ", ".join("%.0f" % t for t in times)))

    # 3 and 4. idle RSS and CPU, real clock
    def idle(self):
        daemon = Daemon(self, self.state("idle"), manual_clock=False)
        try:
            daemon.start()
            time.sleep(self.options.settle_seconds)
            settled = memory(daemon.pid)
            self.row("idle memory, %.0f s after READY (real clock), first start" % self.options.settle_seconds,
                     describe(settled))
            parts = rss_by_mapping(daemon.pid, self.binary)
            self.row("idle RSS by mapping",
                     "lockerd image %.1f MiB, shared libraries %.1f MiB, heap and stacks %.1f MiB"
                     % (parts["image"], parts["libraries"], parts["anonymous"]))
            log("idle CPU: measuring %.0f s of idle" % self.options.idle_seconds)
            ticks0, switches0, wall0 = cpu_ticks(daemon.pid), wake_ups(daemon.pid), time.monotonic()
            time.sleep(self.options.idle_seconds)
            ticks1, switches1, wall1 = cpu_ticks(daemon.pid), wake_ups(daemon.pid), time.monotonic()
            if daemon.process.poll() is not None:
                raise BenchError("lockerd exited while idle\n" + daemon.stderr_tail())
            after = memory(daemon.pid)
            wall = wall1 - wall0
            cpu = (ticks1 - ticks0) / float(os.sysconf("SC_CLK_TCK"))
            percent = 100.0 * cpu / wall
            rate = woken(switches0, switches1) / wall
            self.row("idle simulated cabinet over %.0f s (real clock)" % wall,
                     "%.2f s CPU/hour, %.3f %% of one core; %.1f wake-ups/s" % (cpu / wall * 3600.0, percent, rate),
                     "< %.1f %%; <= %.0f wake-ups/s" % (TARGET_IDLE_CPU_PERCENT, TARGET_IDLE_WAKE_UPS),
                     percent < TARGET_IDLE_CPU_PERCENT and rate <= TARGET_IDLE_WAKE_UPS)
            self.row("idle memory after %.0f s more" % wall, describe(after) + ", peak RSS %.1f MiB" % after["hwm"],
                     "RSS <= %.0f MiB" % TARGET_RSS_MB, after["rss"] <= TARGET_RSS_MB)
        finally:
            daemon.stop()

    # 4a. idle memory over several starts: one start's figure moved by a few hundred KiB from
    # start to start and by up to 1 MiB between sessions for the same binary (the image's resident
    # pages, most likely what the kernel maps around each fault as the page cache holds the file),
    # more than the margin to the goal, so the goal is the median's.
    def idle_memory_over_starts(self):
        starts = self.options.idle_starts
        samples = []
        for start in range(starts):
            daemon = Daemon(self, self.state("idle-start-%d" % start), manual_clock=False)
            try:
                daemon.start()
                time.sleep(self.options.settle_seconds)
                samples.append(memory(daemon.pid))
            finally:
                daemon.stop()

        def median(key):
            return percentile([sample[key] for sample in samples], 0.5)

        def spread(key):
            return "%.1f-%.1f" % (min(sample[key] for sample in samples), max(sample[key] for sample in samples))
        rss, pss = median("rss"), median("pss")
        self.row("idle memory, %.0f s after READY, median of %d starts" % (self.options.settle_seconds, starts),
                 "RSS %.1f MiB (%s), PSS %.1f MiB (%s), anon %.1f MiB (%s)"
                 % (rss, spread("rss"), pss, spread("pss"), median("anon"), spread("anon")),
                 "RSS <= %.0f MiB, PSS <= %.0f MiB" % (TARGET_RSS_MB, TARGET_PSS_MB),
                 rss <= TARGET_RSS_MB and pss <= TARGET_PSS_MB)

    # 4b. idle with one Kerong CU16 board on a pseudo-terminal, polled every 250 ms
    def idle_with_board(self):
        board = SimulatedCU16("footprint")
        directory = self.state("board")
        os.makedirs(directory)
        configuration = os.path.join(directory, "cabinet.json")
        with open(configuration, "w") as file:
            json.dump({
                "cabinetID": "footprint-board",
                "boards": [{"address": 1, "kind": "kerong-cu16", "device": board.path, "channels": 16,
                            "hasItemSensors": True, "pollMilliseconds": BOARD_POLL_MS}],
                "compartments": [{"label": "A%02d" % n, "size": "S", "board": 1, "channel": n} for n in range(1, 17)],
            }, file)
        daemon = Daemon(self, directory, manual_clock=False, front_panel=False, extra=["--config", configuration])
        try:
            daemon.start()

            def serve(seconds):
                deadline = time.monotonic() + seconds
                while time.monotonic() < deadline:
                    readable, _, _ = select.select([board.master], [], [], max(0.0, deadline - time.monotonic()))
                    if readable:
                        board.feed(os.read(board.master, 4096), time.perf_counter_ns())
            serve(self.options.settle_seconds)
            log("idle with one CU16: measuring %.0f s" % self.options.idle_seconds)
            ticks0, switches0, polls0, wall0 = cpu_ticks(daemon.pid), wake_ups(daemon.pid), board.polls, time.monotonic()
            serve(self.options.idle_seconds)
            ticks1, switches1, polls1, wall1 = cpu_ticks(daemon.pid), wake_ups(daemon.pid), board.polls, time.monotonic()
            if daemon.process.poll() is not None:
                raise BenchError("lockerd exited while idle\n" + daemon.stderr_tail())
            wall, polls = wall1 - wall0, max(1, polls1 - polls0)
            percent = 100.0 * (ticks1 - ticks0) / float(os.sysconf("SC_CLK_TCK")) / wall
            rate = woken(switches0, switches1) / wall
            per_poll = woken(switches0, switches1) / polls
            self.row("idle with one CU16 polled every %d ms, over %.0f s" % (BOARD_POLL_MS, wall),
                     "%.3f %% of one core; %.1f wake-ups/s, %.1f per poll (%.1f polls/s)"
                     % (percent, rate, per_poll, polls / wall),
                     "<= %.1f %%; <= %.0f wake-ups per poll" % (TARGET_BOARD_CPU_PERCENT, TARGET_WAKE_UPS_PER_POLL),
                     percent <= TARGET_BOARD_CPU_PERCENT and per_poll <= TARGET_WAKE_UPS_PER_POLL)
            self.row("idle memory with one CU16", describe(memory(daemon.pid)))
        finally:
            daemon.stop()

    # 5. deposits and pickups
    def soak(self, state_directory):
        cycles = self.options.cycles
        daemon = Daemon(self, state_directory, stdout=subprocess.PIPE)
        try:
            daemon.start()
            panel = FrontPanel(daemon)
            sensor_doors = self.sensor_doors(panel)
            start_memory = memory(daemon.pid)
            # Growth is counted from the end of a warm-up (caches filled, the heap at its working
            # size), so that what is left is what keeps growing with use.
            warm_up = min(1000, cycles // 5)
            warm_memory = None
            in_cabinet = []  # (door, code), oldest first
            deposited = picked_up = 0
            started = time.monotonic()
            next_report = started + 30
            while picked_up < cycles:
                # A courier fills the cabinet up to keep + batch parcels, then residents empty
                # it back down to keep: it cycles half full, as a busy cabinet does.
                deposits = min(self.options.batch + max(0, self.options.keep - len(in_cabinet)), cycles - deposited)
                if deposits > 0:
                    lines = panel.run([COURIER_LOGIN])
                    expect(lines, r"Hello ", "courier login", [COURIER_LOGIN])
                    for _ in range(deposits):
                        deposited += 1
                        in_cabinet.append(self.deposit(panel, deposited, sensor_doors))
                    lines = panel.run([COURIER_LOGOUT])
                    expect(lines, r"Courier logged out", "courier logout", [COURIER_LOGOUT])
                target = self.options.keep if deposited < cycles else 0
                pickups = in_cabinet[:max(0, len(in_cabinet) - target)]
                del in_cabinet[:len(pickups)]
                if pickups:
                    self.pick_up(panel, pickups, sensor_doors)
                    picked_up += len(pickups)
                if warm_memory is None and picked_up >= warm_up:
                    warm_memory, warm_cycles = memory(daemon.pid), picked_up
                if self.options.clock_step > 0:
                    panel.run(["wait %g" % self.options.clock_step])
                now = time.monotonic()
                if now >= next_report:
                    log("soak: %d deposits, %d pickups, %.1f cycles/s, RSS %.1f MiB"
                        % (deposited, picked_up, picked_up / (now - started), memory(daemon.pid)["rss"]))
                    next_report = now + 30
            elapsed = time.monotonic() - started
            end = memory(daemon.pid)
            self.row("memory after %d deposits and pickups (manual clock)" % cycles,
                     describe(end) + "; peak RSS %.1f MiB; RSS %.1f MiB at start" % (end["hwm"], start_memory["rss"]),
                     "(the RSS goal is for a cabinet at rest)")
            growth = end["rss"] - warm_memory["rss"]
            self.row("RSS growth over the %d cycles after a warm-up of %d" % (cycles - warm_cycles, warm_cycles),
                     "%+.1f MiB (anon %+.1f MiB)" % (growth, end["anon"] - warm_memory["anon"]),
                     "<= %.0f MiB" % TARGET_GROWTH_MB, growth <= TARGET_GROWTH_MB)
            database = sum(os.path.getsize(os.path.join(state_directory, name))
                           for name in os.listdir(state_directory)
                           if os.path.isfile(os.path.join(state_directory, name)))
            self.row("%d deposits and pickups took" % cycles,
                     "%.1f s (%.1f cycles/s, %.1f ms per cycle); state directory %.1f MiB"
                     % (elapsed, cycles / elapsed, 1000.0 * elapsed / cycles, database / MIB))
        finally:
            daemon.stop()

    def sensor_doors(self, panel):
        lines = panel.run(["show"])
        doors = set()
        for line in lines:
            fields = line.split()
            if len(fields) >= 6 and re.fullmatch(r"[A-Z]\d\d", fields[0]):
                if fields[5] in ("no", "yes"):
                    doors.add(fields[0])
        return doors or set(DEFAULT_SENSOR_DOORS)

    def deposit(self, panel, number, sensor_doors):
        commands = ["scan SF%010d" % number, "press enter"]
        lines = panel.run(commands)
        check_no_errors(lines, "deposit %d" % number)
        door = expect(lines, r"Door (\S+) is open\. Put the parcel", "deposit %d" % number, commands).group(1)
        commands = (["put " + door] if door in sensor_doors else []) + ["close " + door]
        lines = panel.run(commands)
        check_no_errors(lines, "deposit %d" % number)
        code = expect(lines, r"Pickup code (\d+)", "deposit %d" % number, commands).group(1)
        return door, code

    def pick_up(self, panel, parcels, sensor_doors):
        commands = []
        for door, code in parcels:
            commands += ["press " + code] + (["take " + door] if door in sensor_doors else []) + ["close " + door]
        lines = panel.run(commands)
        check_no_errors(lines, "pickup")
        committed = [line for line in lines if re.search(r"pickup\.committed", line)]
        if len(committed) != len(parcels):
            raise BenchError("pickup: %d of %d parcels committed after %s; lockerd printed:\n  %s"
                             % (len(committed), len(parcels), "; ".join(commands), "\n  ".join(lines[-30:])))

    def run(self):
        options = self.options
        if not os.path.isfile(self.binary) or not os.access(self.binary, os.X_OK):
            raise BenchError("%s is not an executable file (build it: swift build -c release "
                             "--static-swift-stdlib --scratch-path .build-release --product lockerd)" % self.binary)
        self.binary_sizes()
        log("exec to READY, fresh state, %d runs" % options.ready_runs)
        self.ready_runs("fresh state", lambda run: self.state("fresh-%d" % run), options.ready_runs)
        log("exec to READY, existing state, %d runs" % options.ready_runs)
        self.ready_runs("existing state", lambda run: self.state("fresh-0"), options.ready_runs)
        if options.idle_starts > 0:
            log("idle memory over %d starts" % options.idle_starts)
            self.idle_memory_over_starts()
        if options.idle_seconds > 0:
            self.idle()
            self.idle_with_board()
        if options.cycles > 0:
            log("soak: %d deposits and pickups" % options.cycles)
            soaked = self.state("soak")
            self.soak(soaked)
            runs = max(1, options.ready_runs // 4)
            self.ready_runs("state after the %d cycles" % options.cycles, lambda run: soaked, runs)

    def print_table(self):
        header = ("measure", "value", "target", "")
        widths = [max(len(str(row[i])) for row in self.rows + [header]) for i in range(4)]
        line = "| " + " | ".join("%-*s" % (widths[i], header[i]) for i in range(4)) + " |"
        print("lockerd footprint: %s" % self.binary)
        print(line)
        print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for row in self.rows:
            print("| " + " | ".join("%-*s" % (widths[i], row[i]) for i in range(4)) + " |")
        sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lockerd", help="path of a release lockerd binary (lockerctl next to it is measured too)")
    parser.add_argument("--cycles", type=int, default=10000,
                        help="deposits and pickups for the RSS soak (default 10000; 0 skips it)")
    parser.add_argument("--ready-runs", type=int, default=20, help="exec-to-READY runs per kind of state (default 20)")
    parser.add_argument("--idle-seconds", type=float, default=60.0,
                        help="idle window for the CPU measurement (default 60; 0 skips idle RSS and CPU)")
    parser.add_argument("--ready-timeout", type=float, default=10.0,
                        help="seconds lockerd may take to send READY=1 (default 10; more under valgrind)")
    parser.add_argument("--idle-starts", type=int, default=7,
                        help="starts whose idle memory is measured, the goal applying to the median (default 7)")
    parser.add_argument("--settle-seconds", type=float, default=5.0, help="idle before reading RSS (default 5)")
    parser.add_argument("--keep", type=int, default=10, help="parcels that stay in the cabinet during the soak (default 10)")
    parser.add_argument("--clock-step", type=float, default=0.0,
                        help="soak: manual-clock seconds that pass after each courier visit (default 0: time stands still)")
    parser.add_argument("--batch", type=int, default=8, help="parcels a courier deposits per visit (default 8)")
    options = parser.parse_args()
    if options.ready_runs < 1 or options.cycles < 0 or options.batch < 1 or options.keep < 0 or options.idle_starts < 0:
        parser.error("--ready-runs and --batch must be at least 1, --cycles, --keep and --idle-starts at least 0")
    if options.keep + options.batch > 24:
        parser.error("--keep + --batch must fit the cabinet's 24 ambient doors")
    if not sys.platform.startswith("linux"):
        parser.error("reads /proc: Linux only")

    bench = Bench(options)
    interrupted = []

    def on_signal(number, _frame):
        interrupted.append(number)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        bench.run()
    except BenchError as error:
        if bench.rows:
            bench.print_table()
        print("footprint: error: %s" % error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("footprint: interrupted", file=sys.stderr)
        return 130
    finally:
        bench.cleanup()
    bench.print_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
