import CGPIOD
import Dispatch
import LockerHAL
import LockerSystem
import Synchronization

/// `GPIOLineDriver` on libgpiod 1.6, the v1 API that Debian bookworm and Raspberry Pi OS ship.
/// Deliberately thin: each method is one or two libgpiod calls plus the error text; policy (pulse
/// length, debounce, what a level means) lives in `GPIOLockBoard`. A libgpiod 2 driver would be a
/// sibling type behind the same protocol.
///
/// Edge waiting uses each line's event file descriptor with poll(2) instead of
/// `gpiod_line_event_wait_bulk`, which would need the 64-pointer `gpiod_line_bulk` struct in Swift.
/// poll(2) blocks a thread, so it runs on a private dispatch queue (serial queues get threads of
/// their own) rather than on Swift's small cooperative pool; it is not interrupted by task
/// cancellation, so callers keep the timeout short and check for cancellation between waits.
public final class LibgpiodV1LineDriver: GPIOLineDriver {
    /// A libgpiod object. They are plain heap memory; the table that holds them is only used under
    /// its lock, and libgpiod keeps no shared state between lines, so handing a pointer to another
    /// thread is safe as long as nobody closes its chip meanwhile (a caller error, see the protocol).
    private struct LibraryObject: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private struct OpenObjects {
        var chips: [Int: LibraryObject] = [:]
        var lines: [GPIOLineHandle: LibraryObject] = [:]
        var nextChipID = 1
    }

    private let open = Mutex(OpenObjects())

    /// Edges read per line per wait; more stay queued in the kernel for the next wait.
    private static let eventsPerRead = 16

    public init() {}

    deinit {
        // Whoever forgot `closeChip` still gets the lines back to the kernel.
        open.withLock { table in
            for chip in table.chips.values { gpiod_chip_close(chip.pointer) }
            table = OpenObjects()
        }
    }

    /// The libgpiod version this binary is linked against ("1.6.3").
    public static var libraryVersion: String { String(cString: gpiod_version_string()) }

    public func openChip(_ chip: String) throws -> GPIOChipHandle {
        // open_lookup accepts a path, a name, a label or a number, which is what configurations use.
        guard let pointer = gpiod_chip_open_lookup(chip) else {
            throw GPIOHardwareErrors.chipNotOpened(chip, errno: Self.lastErrno(or: SystemErrno.noSuchFile))
        }
        let object = LibraryObject(pointer: pointer)
        return open.withLock { table in
            let handle = GPIOChipHandle(id: table.nextChipID, name: chip)
            table.nextChipID += 1
            table.chips[handle.id] = object
            return handle
        }
    }

    public func findLine(_ address: GPIOLineAddress, on chip: GPIOChipHandle) throws -> GPIOLineHandle {
        guard let chipObject = open.withLock({ $0.chips[chip.id] }) else {
            throw GPIOHardwareErrors.lineNotFound(address, on: chip, errno: SystemErrno.badDescriptor)
        }
        let found: OpaquePointer?
        switch address {
        case .name(let name):
            found = gpiod_chip_find_line(chipObject.pointer, name)
        case .offset(let offset):
            guard let offset = UInt32(exactly: offset) else {
                throw GPIOHardwareErrors.lineNotFound(address, on: chip, errno: SystemErrno.invalidArgument)
            }
            found = gpiod_chip_get_line(chipObject.pointer, offset)
        }
        guard let found else {
            throw GPIOHardwareErrors.lineNotFound(address, on: chip, errno: Self.lastErrno(or: SystemErrno.noSuchFile))
        }
        let name: String?
        switch address {
        case .name(let configured): name = configured
        case .offset: name = gpiod_line_name(found).map { String(cString: $0) }
        }
        let handle = GPIOLineHandle(chip: chip, offset: Int(gpiod_line_offset(found)), name: name)
        open.withLock { $0.lines[handle] = LibraryObject(pointer: found) }
        return handle
    }

    public func requestOutput(_ line: GPIOLineHandle, activeLow: Bool, initiallyActive: Bool, consumer: String) throws {
        let object = try lineObject(line, for: "requesting as output")
        if gpiod_line_request_output_flags(object.pointer, consumer, Self.flags(activeLow: activeLow),
                                           initiallyActive ? 1 : 0) != 0 {
            let code = Self.lastErrno(or: SystemErrno.inputOutput)
            throw GPIOHardwareErrors.requestRefused(line, as: "as output", errno: code, heldBy: Self.consumer(of: object))
        }
    }

    public func setValue(_ active: Bool, of line: GPIOLineHandle) throws {
        let object = try lineObject(line, for: "setting the value")
        if gpiod_line_set_value(object.pointer, active ? 1 : 0) != 0 {
            throw GPIOHardwareErrors.operationFailed(line, "setting the value", errno: Self.lastErrno(or: SystemErrno.inputOutput))
        }
    }

    public func requestBothEdgeEvents(_ line: GPIOLineHandle, activeLow: Bool, consumer: String) throws {
        let object = try lineObject(line, for: "requesting edge events")
        if gpiod_line_request_both_edges_events_flags(object.pointer, consumer, Self.flags(activeLow: activeLow)) != 0 {
            let code = Self.lastErrno(or: SystemErrno.inputOutput)
            throw GPIOHardwareErrors.requestRefused(
                line, as: "edge events", errno: code, heldBy: Self.consumer(of: object)
            )
        }
    }

    public func readValue(of line: GPIOLineHandle) throws -> Bool {
        let object = try lineObject(line, for: "reading the value")
        let value = gpiod_line_get_value(object.pointer)
        if value < 0 {
            throw GPIOHardwareErrors.operationFailed(line, "reading the value", errno: Self.lastErrno(or: SystemErrno.inputOutput))
        }
        return value == 1
    }

    public func waitForEdgeEvents(on lines: [GPIOLineHandle], timeout: Duration) async throws -> [GPIOEdgeEvent] {
        let watched: [WatchedLine] = try lines.map { line in
            let fd = gpiod_line_event_get_fd(try lineObject(line, for: "waiting for edge events").pointer)
            guard fd >= 0 else {
                throw GPIOHardwareErrors.operationFailed(
                    line, "waiting for edge events", detail: "the line was not requested for edge events"
                )
            }
            return WatchedLine(line: line, fd: fd)
        }
        let milliseconds = Self.pollMilliseconds(timeout)
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue(label: "lockerd.gpio.edge-wait").async {
                continuation.resume(with: Result { try Self.pollAndRead(watched, milliseconds: milliseconds) })
            }
        }
    }

    public func eventClockNow() -> Duration {
        // Since Linux 5.7 the v1 character device stamps edges with CLOCK_MONOTONIC.
        MonotonicClock.now
    }

    public func release(_ line: GPIOLineHandle) {
        guard let object = open.withLock({ $0.lines[line] }) else { return }
        gpiod_line_release(object.pointer)
    }

    public func closeChip(_ chip: GPIOChipHandle) {
        let object: LibraryObject? = open.withLock { table in
            table.lines = table.lines.filter { $0.key.chip != chip }
            return table.chips.removeValue(forKey: chip.id)
        }
        // Closing the chip also releases its lines and frees their objects.
        if let object { gpiod_chip_close(object.pointer) }
    }

    // MARK: - Helpers

    private struct WatchedLine: Sendable {
        let line: GPIOLineHandle
        let fd: Int32
    }

    private func lineObject(_ line: GPIOLineHandle, for operation: String) throws -> LibraryObject {
        guard let object = open.withLock({ $0.lines[line] }) else {
            throw GPIOHardwareErrors.operationFailed(
                line, operation, detail: "the line was not found on an open chip (closed already?)"
            )
        }
        return object
    }

    private static func flags(activeLow: Bool) -> Int32 {
        activeLow ? Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) : 0
    }

    /// errno after a failed libgpiod call; `fallback` when the library failed without setting it.
    private static func lastErrno(or fallback: Int32) -> Int32 {
        let code = SystemErrno.current
        return code != 0 ? code : fallback
    }

    /// Who holds a line, as the kernel reports it now (the program that made our request fail).
    private static func consumer(of object: LibraryObject) -> String? {
        guard gpiod_line_update(object.pointer) == 0 else { return nil }
        return gpiod_line_consumer(object.pointer).map { String(cString: $0) }
    }

    /// Rounded up, so that an empty result really means at least `timeout` without an edge.
    static func pollMilliseconds(_ timeout: Duration) -> Int32 {
        let (seconds, attoseconds) = timeout.components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let whole = seconds.multipliedReportingOverflow(by: 1000)
        guard !whole.overflow else { return Int32.max }
        let milliseconds = whole.partialValue + attoseconds / perMillisecond + (attoseconds % perMillisecond == 0 ? 0 : 1)
        return Int32(clamping: milliseconds)
    }

    /// The blocking part of `waitForEdgeEvents`, run off the cooperative pool.
    private static func pollAndRead(_ watched: [WatchedLine], milliseconds: Int32) throws -> [GPIOEdgeEvent] {
        let descriptors = watched.map { FileDescriptor(rawValue: $0.fd, path: $0.line.description) }
        let seen: [FileDescriptor.PollEvents]
        do {
            // An interrupted wait is retried with the full timeout, since returning early would
            // claim a quiet period that did not happen.
            seen = try FileDescriptor.poll(descriptors, for: [.readable, .priority], milliseconds: Int(milliseconds))
        } catch {
            throw HardwareError.io(device: error.path, operation: "waiting for edge events", detail: GPIOHardwareErrors.errnoText(error.code))
        }
        if seen.allSatisfy(\.isEmpty) { return [] }
        var events: [GPIOEdgeEvent] = []
        var buffer = [gpiod_line_event](repeating: gpiod_line_event(), count: eventsPerRead)
        for (index, revents) in seen.enumerated() where !revents.isEmpty {
            let line = watched[index].line
            guard !revents.isDisjoint(with: [.readable, .priority]) else {
                throw GPIOHardwareErrors.operationFailed(
                    line, "waiting for edge events",
                    detail: "poll reported an error or hang-up on the line's event descriptor (revents \(revents.rawValue))"
                )
            }
            let count = gpiod_line_event_read_fd_multiple(watched[index].fd, &buffer, UInt32(buffer.count))
            guard count >= 0 else {
                throw GPIOHardwareErrors.operationFailed(line, "reading edge events", errno: lastErrno(or: SystemErrno.inputOutput))
            }
            for event in buffer.prefix(Int(count)) {
                events.append(GPIOEdgeEvent(
                    line: line,
                    becameActive: Int(event.event_type) == Int(GPIOD_LINE_EVENT_RISING_EDGE),
                    timestamp: .seconds(Int64(event.ts.tv_sec)) + .nanoseconds(Int64(event.ts.tv_nsec))
                ))
            }
        }
        return events
    }
}
