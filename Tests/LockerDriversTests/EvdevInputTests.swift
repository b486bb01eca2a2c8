import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LockerDrivers
import LockerHAL
import LockerInput
import LockerSystem
import Logging
import Synchronization
import Testing

/// HID scanners and keypads read through evdev, fed real `struct input_event` bytes through a
/// FIFO (this machine has no /dev/input): the same reader, decoder and translation as on a board.
@Suite struct EvdevInputTests {
    final class Collected: HardwareEventHandler {
        let events = Mutex<[HardwareEvent]>([])
        func handle(_ event: HardwareEvent) async { events.withLock { $0.append(event) } }
    }

    final class Outcomes: Sendable {
        let seen = Mutex<[InputOutcome]>([])
        func record(_ outcome: InputOutcome) { seen.withLock { $0.append(outcome) } }
        var all: [InputOutcome] { seen.withLock { $0 } }
    }

    /// A FIFO in a fresh directory, its write end held open (O_RDWR: never blocks, never ENXIO).
    struct EventFIFO: ~Copyable {
        let directory: URL
        let path: String
        let writer: Int32

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("evdev-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            path = directory.appendingPathComponent("event0").path
            #expect(mkfifo(path, 0o600) == 0)
            writer = open(path, O_RDWR | O_CLOEXEC)
        }

        func write(_ events: [InputEvent]) {
            let bytes = events.flatMap { $0.bytes(timevalBytes: MemoryLayout<timeval>.size) }
            // Split mid-event on purpose: the decoder must not care how reads are cut.
            let cut = min(bytes.count, 37)
            for part in [bytes[..<cut], bytes[cut...]] where !part.isEmpty {
                _ = part.withUnsafeBytes { Glibc.write(writer, $0.baseAddress, $0.count) }
            }
        }

        deinit {
            close(writer)
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "evdev-test")
        logger.logLevel = .critical
        return logger
    }

    /// Waits (bounded) until `count` outcomes were reported.
    static func waitFor(_ outcomes: Outcomes, count: Int) async throws {
        // Generous: the whole suite runs in parallel on two cores.
        let deadline = ContinuousClock.now + .seconds(60)
        while outcomes.all.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try #require(outcomes.all.count >= count, "only \(outcomes.all) arrived")
    }

    @Test func aHIDScannerTypesCodesWithShiftAndRefusesKeysItsLayoutLacks() async throws {
        let fifo = try EventFIFO()
        let outcomes = Outcomes()
        let scanner = EvdevScanner(name: "front", path: fifo.path, grab: false, logger: Self.quietLogger, onOutcome: outcomes.record)
        let collected = Collected()
        let reading = Task { try await scanner.run(delivering: collected) }
        defer { reading.cancel() }

        fifo.write(try #require(KeyboardLayout.us.keystrokes(typing: "SF-1234/ab")))
        // Key code 183 (F13) is in no layout: the code it is part of is refused, not shortened.
        fifo.write([InputEvent(type: 1, code: 30, value: 1), InputEvent(type: 1, code: 183, value: 1),
                    InputEvent(type: 1, code: 28, value: 1)])
        fifo.write(try #require(KeyboardLayout.us.keystrokes(typing: "LKT1.x_y")))
        try await Self.waitFor(outcomes, count: 3)

        #expect(collected.events.withLock { $0 } == [.scan("SF-1234/ab", scanner: "front"), .scan("LKT1.x_y", scanner: "front")])
        #expect(outcomes.all.first == .delivered)
        guard case .refused(let reason) = outcomes.all[1] else { Issue.record("expected a refusal, got \(outcomes.all)"); return }
        #expect(reason.contains("183"))
    }

    @Test func aConfiguredLayoutOverrideTypesAnotherNationalLayout() async throws {
        // A scanner set to German QWERTZ sends KEY_Y (21) for "z" and KEY_Z (44) for "y".
        let german = KeyboardLayout.us.with([21: .init("z", "Z"), 44: .init("y", "Y")])
        let fifo = try EventFIFO()
        let outcomes = Outcomes()
        let scanner = EvdevScanner(name: "de", path: fifo.path, layout: german, grab: false, logger: Self.quietLogger,
                                   onOutcome: outcomes.record)
        let collected = Collected()
        let reading = Task { try await scanner.run(delivering: collected) }
        defer { reading.cancel() }
        fifo.write(try #require(KeyboardLayout.us.keystrokes(typing: "yz")))  // keys 21, 44 on a US board
        try await Self.waitFor(outcomes, count: 1)
        #expect(collected.events.withLock { $0 } == [.scan("zy", scanner: "de")])
    }

    @Test func aHIDKeypadDeliversEachPressOnceAndIgnoresUnmappedKeys() async throws {
        let fifo = try EventFIFO()
        let outcomes = Outcomes()
        let keypad = EvdevKeypad(name: "pad", path: fifo.path, grab: false, logger: Self.quietLogger, onOutcome: outcomes.record)
        let collected = Collected()
        let reading = Task { try await keypad.run(delivering: collected) }
        defer { reading.cancel() }
        func tap(_ code: UInt16) -> [InputEvent] {
            [InputEvent(type: 1, code: code, value: 1), InputEvent(type: 0, code: 0, value: 0),
             InputEvent(type: 1, code: code, value: 2),  // autorepeat while held: not a second press
             InputEvent(type: 1, code: code, value: 0), InputEvent(type: 0, code: 0, value: 0)]
        }
        // KP4, KP8, F1 (not mapped), KPDOT (back), KPASTERISK (clear), KPPLUS (menu), KPENTER.
        fifo.write([75, 72, 59, 83, 55, 78, 96].flatMap(tap))
        try await Self.waitFor(outcomes, count: 7)
        #expect(collected.events.withLock { $0 } == [.key(.digit(4)), .key(.digit(8)), .key(.back), .key(.clear), .key(.menu), .key(.enter)])
        #expect(outcomes.all.filter { $0 == .ignored }.count == 1)
    }

    @Test func grabbingSomethingThatIsNotAnInputDeviceIsAClearError() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("not-evdev-\(UUID().uuidString)")
        try Data([0]).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(throws: HardwareError.io(device: file.path, operation: "grab (EVIOCGRAB)", detail: "not an evdev input device")) {
            _ = try EvdevInputDevice(path: file.path, grab: true)
        }
    }

    @Test func aMissingDeviceIsReportedAsMissing() async throws {
        let scanner = EvdevScanner(name: "gone", path: "/dev/input/no-such-event-node", logger: Self.quietLogger)
        await #expect {
            try await scanner.run(delivering: Collected())
        } throws: { error in
            guard case HardwareError.deviceMissing(let device, _) = error else { return false }
            return device == "/dev/input/no-such-event-node"
        }
    }

    /// The writer of the node going away (an unplug) ends the read with deviceMissing, whether a
    /// reader thread reads the keypad or the loop's own thread does (then into a queue).
    @Test(arguments: [false, true])
    func aDeviceThatGoesAwayEndsTheReaderWithDeviceMissing(readOnALoopThread: Bool) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evdev-gone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("event0").path
        #expect(mkfifo(path, 0o600) == 0)
        let loop = readOnALoopThread ? try DedicatedThreadExecutor(name: "test unplug") : nil
        defer { loop?.stop() }
        let keypad = EvdevKeypad(name: "pad", path: path, grab: false, logger: Self.quietLogger, readOn: loop)
        let handler: any HardwareEventHandler = readOnALoopThread ? PostedKeys() : Collected()
        let reading = Task { try await keypad.run(delivering: handler) }
        // The writer comes and goes, as an unplugged device's node does.
        var writer: Int32 = -1
        let deadline = ContinuousClock.now + .seconds(60)
        while writer < 0, ContinuousClock.now < deadline {
            writer = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)  // ENXIO until the reader opened it
            if writer < 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
        try #require(writer >= 0)
        close(writer)
        let result = await reading.result
        guard case .failure(HardwareError.deviceMissing(let device, _)) = result else {
            Issue.record("expected deviceMissing, got \(result)")
            return
        }
        #expect(device == path)
    }

    /// A queue that notes which thread each key was posted from (the cabinet's inbox, in tests).
    final class PostedKeys: HardwareEventQueue {
        let posted = Mutex<[(HardwareEvent, String)]>([])
        func post(_ event: HardwareEvent) {
            let descriptor = open("/proc/thread-self/comm", O_RDONLY)
            defer { close(descriptor) }
            var bytes = [UInt8](repeating: 0, count: 32)
            let count = read(descriptor, &bytes, bytes.count)
            let thread = String(decoding: bytes.prefix(max(0, count)).filter { $0 != 0x0A }, as: UTF8.self)
            posted.withLock { $0.append((event, thread)) }
        }
        func handle(_ event: HardwareEvent) async { post(event) }
        var count: Int { posted.withLock { $0.count } }
    }

    /// Read by the loop's own thread: the same keys, posted from that thread; a cancelled read
    /// returns (the loop thread closes the device first).
    @Test func aKeypadReadOnTheLoopThreadPostsFromThatThread() async throws {
        let fifo = try EventFIFO()
        let loop = try DedicatedThreadExecutor(name: "test keys")
        defer { loop.stop() }
        let keypad = EvdevKeypad(name: "pad", path: fifo.path, grab: false, logger: Self.quietLogger, readOn: loop)
        let keys = PostedKeys()
        let reading = Task { try await keypad.run(delivering: keys) }
        func tap(_ code: UInt16) -> [InputEvent] {
            [InputEvent(type: 1, code: code, value: 1), InputEvent(type: 0, code: 0, value: 0),
             InputEvent(type: 1, code: code, value: 2), InputEvent(type: 1, code: code, value: 0), InputEvent(type: 0, code: 0, value: 0)]
        }
        // KP4, KP8, F1 (not mapped), KPDOT (back), KPENTER.
        fifo.write([75, 72, 59, 83, 96].flatMap(tap))
        let deadline = ContinuousClock.now + .seconds(60)
        while keys.count < 4, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let posted = keys.posted.withLock { $0 }
        #expect(posted.map(\.0) == [.key(.digit(4)), .key(.digit(8)), .key(.back), .key(.enter)])
        #expect(posted.allSatisfy { $0.1 == "test keys" })
        reading.cancel()
        let ended = await reading.result
        guard case .success = ended else {
            Issue.record("a cancelled read should return, got \(ended)")
            return
        }
    }
}
