#!/usr/bin/env python3
"""Writes the list of functions a release lockerd runs, in the order it first runs them: the
symbol-ordering file the link uses to put them next to each other (README "Footprint").

    python3 Benchmarks/hot_functions.py .build-release/release/lockerd Sources/lockerd/hot-functions.order

Why: the kernel maps a binary's code 64 KiB at a time around each page fault ("fault-around"),
so a function touched at start-up or at rest keeps the 64 KiB around it resident. lockerd runs
about 2.5 MB of its 31 MB of code, but spread over the whole text it kept 20 MB of it resident.
Placed first, together, it keeps 9.9 MB (most of the difference is the toolchain's prebuilt
libraries, whose file-local functions share one section per object and move as a block).

How: lockerd runs under valgrind's callgrind through footprint.py's own workload (start on fresh
and existing state, the simulated cabinet at rest, a Kerong CU16 polled on a pseudo-terminal,
deposits and pickups through the front panel), and every function callgrind saw run that the
binary defines is written, first run first. valgrind 3.19 cannot read the toolchain's DWARF, so it
runs a copy with the debug sections stripped (the symbol table stays).

Regenerate after changes that rename or add many functions on the start-up and rest paths
(`make hot-functions`); a stale list costs only memory: a function missing from it is placed
where the linker would have put it anyway. Standard library only, plus valgrind and binutils.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

# footprint.py's workload, kept short: callgrind runs lockerd some 50 times slower.
WORKLOAD = ["--cycles", "400", "--ready-runs", "1", "--idle-seconds", "10", "--ready-timeout", "120"]
# "fn=(12) name", "cfn=(12) name", or "fn=(12)" for a name given before (callgrind's compression).
FUNCTION_LINE = re.compile(r"^c?fn=\((\d+)\)(?: (.*))?$")


def fail(message):
    print("hot_functions: " + message, file=sys.stderr)
    sys.exit(1)


def defined_functions(binary):
    """Names of the functions the binary's symbol table defines."""
    listing = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True)
    if listing.returncode != 0:
        fail("nm could not read %s: %s" % (binary, listing.stderr.strip()))
    names = set()
    for line in listing.stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[1] in "tTwW":
            names.add(parts[2])
    return names


def functions_run(profile_paths):
    """Function names in callgrind profiles, in the order they first appear."""
    order, seen = [], set()
    for path in profile_paths:
        names = {}
        with open(path, errors="replace") as profile:
            for line in profile:
                match = FUNCTION_LINE.match(line.rstrip("\n"))
                if not match:
                    continue
                number, name = match.groups()
                if name is not None:
                    names[number] = name
                name = names.get(number)
                if name is None:
                    continue
                name = re.sub(r"'\d+$", "", name)  # callgrind's mark for a recursion level
                if name not in seen:
                    seen.add(name)
                    order.append(name)
    return order


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lockerd", help="path of a release lockerd binary (not stripped)")
    parser.add_argument("output", help="the symbol-ordering file to write")
    options = parser.parse_args()
    for tool in ("valgrind", "nm", "strip"):
        if shutil.which(tool) is None:
            fail("%s is not installed (make hot-functions installs it)" % tool)
    binary = os.path.abspath(options.lockerd)
    if not os.path.isfile(binary):
        fail("no lockerd binary at %s" % binary)
    footprint = os.path.join(os.path.dirname(os.path.abspath(__file__)), "footprint.py")
    with tempfile.TemporaryDirectory(prefix="hot-functions-") as work:
        stripped = os.path.join(work, "lockerd")
        subprocess.run(["strip", "--strip-debug", "-o", stripped, binary], check=True)
        profiles = os.path.join(work, "profiles")
        os.mkdir(profiles)
        wrapper = os.path.join(work, "lockerd-under-callgrind")
        with open(wrapper, "w") as script:
            script.write("#!/bin/sh\nexec valgrind --tool=callgrind --demangle=no --fair-sched=yes "
                         "--callgrind-out-file=%s/callgrind.%%p %s \"$@\"\n" % (profiles, stripped))
        os.chmod(wrapper, 0o755)
        print("hot_functions: running footprint.py's workload under callgrind (a few minutes)",
              file=sys.stderr, flush=True)
        run = subprocess.run([sys.executable, footprint, wrapper] + WORKLOAD,
                             stdout=subprocess.DEVNULL)
        if run.returncode != 0:
            fail("footprint.py's workload failed under callgrind (status %d)" % run.returncode)
        paths = sorted(glob.glob(os.path.join(profiles, "callgrind.*")), key=os.path.getmtime)
        if not paths:
            fail("callgrind wrote no profile")
        defined = defined_functions(binary)
        hot = [name for name in functions_run(paths) if name in defined]
    if len(hot) < 1000:
        fail("only %d functions seen running; the workload cannot have run" % len(hot))
    with open(options.output + ".new", "w") as output:
        output.write("".join(name + "\n" for name in hot))
    os.replace(options.output + ".new", options.output)
    print("hot_functions: %d functions written to %s" % (len(hot), options.output), file=sys.stderr)


if __name__ == "__main__":
    main()
