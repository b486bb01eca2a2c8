"""A Kerong CU16 lock board simulated on the board end of a pseudo-terminal, for the benchmarks
(pickup_benchmark.py, ../footprint.py): the daemon or stack under test opens the other end as
its serial line. Standard library only."""

import os
import tty

BOARD_ADDRESS = 1
LOCKS = 16


class SimulatedCU16:
    """The board end of one pseudo-terminal: answers status requests from its doors and items,
    records each unlock frame with the moment it arrived, and opens that door (a latch springs the
    door). After a status reply that showed a door open, the pending `after_seen_open` change for
    that door is applied: the person put a parcel in or took it out and closed the door."""

    def __init__(self, name):
        self.name = name
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self.doors = [False] * LOCKS
        self.items = [False] * LOCKS
        self.after_seen_open = {}
        self.unlocks = []
        self.buffer = b""
        self.polls = 0

    def feed(self, data, arrived_ns):
        self.buffer += data
        while len(self.buffer) >= 5:
            start = self.buffer.find(b"\x02")
            if start < 0:
                self.buffer = b""
                return
            self.buffer = self.buffer[start:]
            if len(self.buffer) < 5:
                return
            request, self.buffer = self.buffer[:5], self.buffer[5:]
            if request[3] != 0x03 or sum(request[:4]) & 0xFF != request[4] or request[1] >> 4 != BOARD_ADDRESS:
                continue
            command, lock = request[2], (request[1] & 0x0F) + 1
            if command == 0x31:
                self.unlocks.append((arrived_ns, lock))
                self.doors[lock - 1] = True
            elif command == 0x30:
                self.polls += 1
                self.reply_status()

    def reply_status(self):
        door_bits = sum(1 << n for n in range(LOCKS) if self.doors[n])
        item_bits = sum(1 << n for n in range(LOCKS) if self.items[n])
        body = bytes([0x02, BOARD_ADDRESS << 4, 0x35, door_bits & 0xFF, door_bits >> 8, item_bits & 0xFF, item_bits >> 8, 0x03])
        os.write(self.master, body + bytes([sum(body) & 0xFF]))
        for lock in [lock for lock in self.after_seen_open if self.doors[lock - 1]]:
            self.items[lock - 1] = self.after_seen_open.pop(lock)
            self.doors[lock - 1] = False
