#!/usr/bin/env python3
"""The footprint of a release lockerd: binary size, exec-to-READY time, idle RSS and CPU, and RSS
after many deposits and pickups through the simulated cabinet's front panel.

    python3 Benchmarks/footprint.py .build-release/release/lockerd [--cycles 10000] [--idle-seconds 60]

Targets on the project's 2-core machine: idle RSS <= 20 MB, exec to READY <= 200 ms, no busy
polling (idle CPU < 0.5 % of one core). Standard library only; Linux only (reads /proc).
Prints a table on standard output, progress on standard error; exits 0, or non-zero with a
message when lockerd cannot be started, never becomes READY, or the cabinet misbehaves.
"""

import argparse
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

TARGET_RSS_MB = 20.0
TARGET_READY_MS = 200.0
TARGET_IDLE_CPU_PERCENT = 0.5
READY_TIMEOUT_S = 10.0
MARK_TIMEOUT_S = 60.0
COURIER_LOGIN = "press menu 1001 enter 4321 enter"
COURIER_LOGOUT = "press enter 2"
# Board 1's doors have item sensors (README "The front panel"); `show` is read to confirm.
DEFAULT_SENSOR_DOORS = {"A%02d" % n for n in range(1, 17)}
MB = 1024 * 1024


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


def context_switches(pid):
    """Voluntary + involuntary context switches summed over the live threads: wake-ups."""
    total = 0
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            fields = proc_status("/proc/%d/task/%s/status" % (pid, task))
        except OSError:
            continue  # the thread ended meanwhile
        total += fields.get("voluntary_ctxt_switches", 0) + fields.get("nonvoluntary_ctxt_switches", 0)
    return total


def memory(pid):
    s = proc_status("/proc/%d/status" % pid)
    try:
        private_dirty = proc_status("/proc/%d/smaps_rollup" % pid).get("Private_Dirty", 0) / 1024.0
    except OSError:
        private_dirty = float("nan")
    return {
        "rss": s.get("VmRSS", 0) / 1024.0, "hwm": s.get("VmHWM", 0) / 1024.0,
        "anon": s.get("RssAnon", 0) / 1024.0, "file": s.get("RssFile", 0) / 1024.0,
        "dirty": private_dirty, "threads": s.get("Threads", 0),
    }


def rss_by_mapping(pid, binary):
    """Resident MB of lockerd's own image, of shared libraries, and of anonymous memory."""
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

    def __init__(self, bench, state_directory, manual_clock=True, front_panel=True, stdout=None):
        self.bench = bench
        self.state_directory = state_directory
        os.makedirs(state_directory, exist_ok=True)
        arguments = [bench.binary, "--state-directory", state_directory]
        if front_panel:
            arguments.append("--front-panel")
        if manual_clock:
            arguments.append("--manual-clock")
        arguments += ["--maintenance-socket", os.path.join(state_directory, "m.sock"), "--log-level", "warning"]
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
            deadline = started + READY_TIMEOUT_S
            while True:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    raise BenchError("lockerd did not send READY=1 within %.0f s\n%s"
                                     % (READY_TIMEOUT_S, self.stderr_tail()))
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
            text = "%d bytes (%.1f MB)" % (size, size / MB)
            strip = shutil.which("strip")
            if strip:
                stripped = os.path.join(self.work, name + ".stripped")
                if subprocess.run([strip, "-o", stripped, path], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL).returncode == 0:
                    stripped_size = os.path.getsize(stripped)
                    text += "; stripped %d bytes (%.1f MB)" % (stripped_size, stripped_size / MB)
                    os.unlink(stripped)
            self.row("binary size, " + name, text)

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
            self.row("idle RSS, %.0f s after READY (real clock)" % self.options.settle_seconds,
                     "%.1f MB (anon %.1f, file %.1f, private dirty %.1f; %d threads)"
                     % (settled["rss"], settled["anon"], settled["file"], settled["dirty"], settled["threads"]),
                     "<= %.0f MB" % TARGET_RSS_MB, settled["rss"] <= TARGET_RSS_MB)
            parts = rss_by_mapping(daemon.pid, self.binary)
            self.row("idle RSS by mapping",
                     "lockerd image %.1f MB, shared libraries %.1f MB, heap and stacks %.1f MB"
                     % (parts["image"], parts["libraries"], parts["anonymous"]))
            log("idle CPU: measuring %.0f s of idle" % self.options.idle_seconds)
            ticks0, switches0, wall0 = cpu_ticks(daemon.pid), context_switches(daemon.pid), time.monotonic()
            time.sleep(self.options.idle_seconds)
            ticks1, switches1, wall1 = cpu_ticks(daemon.pid), context_switches(daemon.pid), time.monotonic()
            if daemon.process.poll() is not None:
                raise BenchError("lockerd exited while idle\n" + daemon.stderr_tail())
            after = memory(daemon.pid)
            wall = wall1 - wall0
            cpu = (ticks1 - ticks0) / float(os.sysconf("SC_CLK_TCK"))
            percent = 100.0 * cpu / wall
            self.row("idle CPU over %.0f s (real clock, 250 ms tick)" % wall,
                     "%.2f s/hour, %.3f %% of one core; %.1f wake-ups/s"
                     % (cpu / wall * 3600.0, percent, (switches1 - switches0) / wall),
                     "< %.1f %%" % TARGET_IDLE_CPU_PERCENT, percent < TARGET_IDLE_CPU_PERCENT)
            self.row("idle RSS after %.0f s more" % wall, "%.1f MB (peak %.1f MB)" % (after["rss"], after["hwm"]),
                     "<= %.0f MB" % TARGET_RSS_MB, after["rss"] <= TARGET_RSS_MB)
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
                if self.options.clock_step > 0:
                    panel.run(["wait %g" % self.options.clock_step])
                now = time.monotonic()
                if now >= next_report:
                    log("soak: %d deposits, %d pickups, %.1f cycles/s, RSS %.1f MB"
                        % (deposited, picked_up, picked_up / (now - started), memory(daemon.pid)["rss"]))
                    next_report = now + 30
            elapsed = time.monotonic() - started
            end = memory(daemon.pid)
            self.row("RSS after %d deposits and pickups (manual clock)" % cycles,
                     "%.1f MB (anon %.1f, file %.1f, private dirty %.1f; peak %.1f MB; %.1f MB at start)"
                     % (end["rss"], end["anon"], end["file"], end["dirty"], end["hwm"], start_memory["rss"]),
                     "<= %.0f MB" % TARGET_RSS_MB, end["rss"] <= TARGET_RSS_MB)
            database = sum(os.path.getsize(os.path.join(state_directory, name))
                           for name in os.listdir(state_directory)
                           if os.path.isfile(os.path.join(state_directory, name)))
            self.row("%d deposits and pickups took" % cycles,
                     "%.1f s (%.1f cycles/s, %.1f ms per cycle); state directory %.1f MB"
                     % (elapsed, cycles / elapsed, 1000.0 * elapsed / cycles, database / MB))
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
        if options.idle_seconds > 0:
            self.idle()
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
    parser.add_argument("--settle-seconds", type=float, default=5.0, help="idle before reading RSS (default 5)")
    parser.add_argument("--keep", type=int, default=10, help="parcels that stay in the cabinet during the soak (default 10)")
    parser.add_argument("--clock-step", type=float, default=0.0,
                        help="soak: manual-clock seconds that pass after each courier visit (default 0: time stands still)")
    parser.add_argument("--batch", type=int, default=8, help="parcels a courier deposits per visit (default 8)")
    options = parser.parse_args()
    if options.ready_runs < 1 or options.cycles < 0 or options.batch < 1 or options.keep < 0:
        parser.error("--ready-runs and --batch must be at least 1, --cycles and --keep at least 0")
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
