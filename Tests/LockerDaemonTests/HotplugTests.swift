import Foundation
import LockerDaemon
import LockerDrivers
import LockerHAL
import Logging
import Synchronization
import Testing
import LockerSystem

/// Scanners found, lost and found again through the hotplug layer's interface, fed udev-like add
/// and remove events by hand (this machine has no udev daemon), with real readers on a
/// pseudo-terminal. The supervisors' fallback look-up is set to an hour, so every recovery seen
/// here is the hotplug event's doing.
@Suite struct HotplugTests {
    /// The hotplug interface with the devices and events a test gives it.
    final class ScriptedDeviceSource: PluggedDeviceSource {
        let present: Mutex<[PluggedDevice]>
        let stream: AsyncThrowingStream<PluggedDeviceEvent, any Error>
        let continuation: AsyncThrowingStream<PluggedDeviceEvent, any Error>.Continuation

        init(present: [PluggedDevice] = []) {
            self.present = Mutex(present)
            (stream, continuation) = AsyncThrowingStream.makeStream()
        }

        func enumerate(subsystems: [String]) throws -> [PluggedDevice] {
            present.withLock { $0 }.filter { subsystems.contains($0.subsystem) }
        }

        func events(subsystems: [String]) throws -> AsyncThrowingStream<PluggedDeviceEvent, any Error> { stream }
    }

    final class Collected: HardwareEventHandler {
        let events = Mutex<[HardwareEvent]>([])
        func handle(_ event: HardwareEvent) async { events.withLock { $0.append(event) } }
        var scans: [String] {
            events.withLock { $0 }.compactMap { if case .scan(let code, _) = $0 { return code } else { return nil } }
        }
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "hotplug-test")
        logger.logLevel = .critical
        return logger
    }

    /// Polls (bounded) until `condition` holds: the readers run on threads of their own. The bound
    /// is generous: with the whole suite running in parallel on two cores, other tests can hold
    /// the shared threads for seconds.
    static func eventually(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try #require(condition(), "never happened: \(what)")
    }

    static func scanner(on terminal: PseudoTerminal, serial: String = "A1") -> PluggedDevice {
        PluggedDevice(sysPath: "/sys/devices/usb1/1-1/1-1:1.0/tty/ttyACM-\(serial)", subsystem: "tty", devnode: terminal.subordinatePath,
                      vendorID: "0c2e", productID: "0b61", serial: serial)
    }

    @Test func aScannerMatchedByUSBIdsIsUsedWhenPluggedDroppedWhenUnpluggedAndBackWhenReplugged() async throws {
        let source = ScriptedDeviceSource()
        let hotplug = HotplugMonitor(source: source, adapterPaths: [], logger: Self.quietLogger)
        let registry = InputDeviceRegistry()
        let supervisor = InputDeviceSupervisor(
            name: "front", kind: "serial scanner",
            selector: PluggedDeviceSelector(.usb(vendor: "0C2E", product: "0b61", serial: "A1"), subsystem: "tty"),
            hotplug: hotplug, registry: registry, logger: Self.quietLogger, lookAgainEvery: .seconds(3_600)
        ) { node, opened in
            SerialScanner(name: "front", configuration: SerialPortConfiguration(path: node, baud: 9_600), logger: Self.quietLogger,
                          onOpened: opened)
        }
        let collected = Collected()
        let monitoring = Task { await hotplug.run() }
        let supervising = Task { await supervisor.run(delivering: collected) }
        defer {
            supervising.cancel()
            monitoring.cancel()
            source.continuation.finish()
        }
        try await Self.eventually("waiting state") { if case .waiting = registry.state(of: "front") { true } else { false } }

        // Another scanner of the same model (another serial number) is not this one.
        let other = try PseudoTerminal()
        source.continuation.yield(.added(Self.scanner(on: other, serial: "B2")))
        let first = try PseudoTerminal()
        source.continuation.yield(.added(Self.scanner(on: first)))
        try await Self.eventually("in use on the first node") { registry.state(of: "front").isInUse(on: first.subordinatePath) }
        first.write(Array("SF0001\r\n".utf8))
        try await Self.eventually("first scan") { collected.scans == ["SF0001"] }

        source.continuation.yield(.removed(Self.scanner(on: first)))
        try await Self.eventually("waiting after the unplug") { if case .waiting = registry.state(of: "front") { true } else { false } }

        // Replugged, the kernel gives it another node; the udev event alone brings it back.
        let second = try PseudoTerminal()
        source.continuation.yield(.added(Self.scanner(on: second)))
        try await Self.eventually("in use on the new node") { registry.state(of: "front").isInUse(on: second.subordinatePath) }
        second.write(Array("SF0002\n".utf8))
        try await Self.eventually("scan after the replug") { collected.scans == ["SF0001", "SF0002"] }
        _ = other
    }

    @Test func aDevicePresentAtStartIsFoundByEnumeration() async throws {
        let terminal = try PseudoTerminal()
        let source = ScriptedDeviceSource(present: [Self.scanner(on: terminal)])
        let hotplug = HotplugMonitor(source: source, adapterPaths: [], logger: Self.quietLogger)
        let registry = InputDeviceRegistry()
        let supervisor = InputDeviceSupervisor(
            name: "front", kind: "serial scanner",
            selector: PluggedDeviceSelector(.usb(vendor: "0c2e", product: "0b61", serial: nil), subsystem: "tty"),
            hotplug: hotplug, registry: registry, logger: Self.quietLogger, lookAgainEvery: .seconds(3_600)
        ) { node, opened in
            SerialScanner(name: "front", configuration: SerialPortConfiguration(path: node, baud: 9_600), logger: Self.quietLogger,
                          onOpened: opened)
        }
        let collected = Collected()
        let monitoring = Task { await hotplug.run() }
        defer {
            monitoring.cancel()
            source.continuation.finish()
        }
        // The monitor enumerated before the supervisor started; the first look finds the device.
        try await Self.eventually("enumerated") { hotplug.isPresent(terminal.subordinatePath) }
        let supervising = Task { await supervisor.run(delivering: collected) }
        defer { supervising.cancel() }
        try await Self.eventually("in use") { registry.state(of: "front").isInUse(on: terminal.subordinatePath) }
        terminal.write(Array("JD000123\r".utf8))
        try await Self.eventually("scan") { collected.scans == ["JD000123"] }
    }

    @Test func aReaderThatFailsIsReportedAndRetriedOnTheNextHotplugEvent() async throws {
        let source = ScriptedDeviceSource()
        let hotplug = HotplugMonitor(source: source, adapterPaths: [], logger: Self.quietLogger)
        let registry = InputDeviceRegistry()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hotplug-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A path that exists but is no input device: grabbing it fails, with the reason in status.
        let path = directory.appendingPathComponent("event7").path
        FileManager.default.createFile(atPath: path, contents: Data([0]))
        let supervisor = InputDeviceSupervisor(
            name: "pad", kind: "hid keypad", selector: PluggedDeviceSelector(.path(path), subsystem: "input"),
            hotplug: hotplug, registry: registry, logger: Self.quietLogger, lookAgainEvery: .seconds(3_600)
        ) { node, opened in EvdevKeypad(name: "pad", path: node, logger: Self.quietLogger, onOpened: opened) }
        let monitoring = Task { await hotplug.run() }
        let supervising = Task { await supervisor.run(delivering: Collected()) }
        defer {
            supervising.cancel()
            monitoring.cancel()
            source.continuation.finish()
        }
        try await Self.eventually("failed with the grab's reason") {
            if case .failed(let reason) = registry.state(of: "pad") { reason.contains("not an evdev input device") } else { false }
        }
        // The file goes away; the next event wakes the supervisor, which then waits for the path.
        try FileManager.default.removeItem(atPath: path)
        source.continuation.yield(.removed(PluggedDevice(sysPath: "/sys/x/event7", subsystem: "input", devnode: path)))
        try await Self.eventually("waiting for the path") { registry.state(of: "pad") == .waiting(for: path) }
    }

    /// Counts what a supervisor logs, by level.
    final class LogLines: Sendable {
        let all = Mutex<[(Logger.Level, String)]>([])
        func withLock<T>(_ body: ([(Logger.Level, String)]) -> T) -> T { all.withLock { body($0) } }
    }

    struct CountingLogHandler: LogHandler {
        let lines: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        init(_ lines: LogLines) { self.lines = lines }
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { lines.all.withLock { $0.append((event.level, "\(event.message)")) } }
    }

    final class AlwaysFailing: HardwareEventSource {
        let attempts = Mutex(0)
        func run(delivering handler: any HardwareEventHandler) async throws {
            attempts.withLock { $0 += 1 }
            throw HardwareError.io(device: "/dev/input/event4", operation: "grab (EVIOCGRAB)", detail: "another process holds the device")
        }
    }

    @Test func aDeviceThatKeepsFailingIsLoggedOnceAndRetriedLessAndLessOften() async throws {
        let lines = LogLines()
        let logger = Logger(label: "flapping") { _ in CountingLogHandler(lines) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("event4").path
        FileManager.default.createFile(atPath: path, contents: Data())
        let failing = AlwaysFailing()
        let registry = InputDeviceRegistry()
        let supervisor = InputDeviceSupervisor(
            name: "pad", kind: "hid keypad", selector: PluggedDeviceSelector(.path(path), subsystem: "input"),
            hotplug: HotplugMonitor(source: nil, adapterPaths: [], logger: logger), registry: registry, logger: logger,
            lookAgainEvery: .milliseconds(1)
        ) { _, _ in failing }
        let supervising = Task { await supervisor.run(delivering: Collected()) }
        // With a fixed 1 ms retry this would be hundreds of attempts; the backoff doubles it.
        try await Self.eventually("a few attempts") { failing.attempts.withLock { $0 } >= 6 }
        try await Task.sleep(for: .milliseconds(150))
        supervising.cancel()
        _ = await supervising.value
        let attempts = failing.attempts.withLock { $0 }
        #expect(attempts < 40, "\(attempts) attempts: the retries did not back off")
        let warnings = lines.withLock { $0 }.filter { $0.0 == .warning }
        #expect(warnings.count == 1, "\(warnings)")
        let inUse = lines.withLock { $0 }.filter { $0.1 == "input device in use" }
        #expect(inUse.isEmpty, "\(inUse.count) 'in use' lines for a device that never opened")
        if case .failed(let reason)? = registry.state(of: "pad") { #expect(reason.contains("another process holds")) }
        else { Issue.record("state is \(String(describing: registry.state(of: "pad")))") }
    }

    @Test func selectorsMatchByNodeSymlinkOrUSBIdentity() {
        let device = PluggedDevice(sysPath: "/sys/devices/x/input/input9/event3", subsystem: "input", devnode: "/dev/input/event3",
                                   vendorID: "05e0", productID: "1200", serial: "S123", symlinks: ["/dev/locker/scanner-front"],
                                   properties: ["ID_INPUT_KEYBOARD": "1"])
        #expect(PluggedDeviceSelector(.path("/dev/input/event3"), subsystem: "input").selects(device))
        #expect(PluggedDeviceSelector(.path("/dev/locker/scanner-front"), subsystem: "input").selects(device))
        #expect(PluggedDeviceSelector(.path("/dev/locker/scanner-back"), subsystem: "input").selects(device, resolvedPath: "/dev/input/event3"))
        #expect(!PluggedDeviceSelector(.path("/dev/locker/scanner-back"), subsystem: "input").selects(device))
        #expect(!PluggedDeviceSelector(.path("/dev/input/event3"), subsystem: "tty").selects(device))
        #expect(PluggedDeviceSelector(.usb(vendor: "05E0", product: "1200", serial: nil), subsystem: "input").selects(device))
        #expect(PluggedDeviceSelector(.usb(vendor: "05e0", product: "1200", serial: "S123"), subsystem: "input").selects(device))
        #expect(!PluggedDeviceSelector(.usb(vendor: "05e0", product: "1200", serial: "S999"), subsystem: "input").selects(device))
        // The scanner's other HID interfaces, with the properties udev really writes: consumer keys
        // (keys, no keyboard) may be chosen only when no keyboard node exists; a pointer never.
        let usb = PluggedDeviceSelector(.usb(vendor: "05e0", product: "1200", serial: nil), subsystem: "input")
        var consumerKeys = device
        consumerKeys.devnode = "/dev/input/event10"
        consumerKeys.properties = ["ID_INPUT": "1", "ID_INPUT_KEY": "1"]
        var keyboard = device
        keyboard.devnode = "/dev/input/event11"
        keyboard.properties = ["ID_INPUT": "1", "ID_INPUT_KEY": "1", "ID_INPUT_KEYBOARD": "1"]
        var pointer = device
        pointer.devnode = "/dev/input/event9"
        pointer.properties = ["ID_INPUT": "1", "ID_INPUT_MOUSE": "1"]
        #expect(usb.selects(consumerKeys) && usb.selects(keyboard) && !usb.selects(pointer))
        #expect(PluggedDeviceSelector.rank([consumerKeys, keyboard]).first?.devnode == "/dev/input/event11")
        var mouse = device
        mouse.devnode = "/dev/input/mouse0"
        mouse.properties = [:]
        #expect(!usb.selects(mouse))
        // event9 before event10, which a string sort would get wrong.
        var nine = consumerKeys
        nine.devnode = "/dev/input/event9"
        #expect(PluggedDeviceSelector.rank([consumerKeys, nine]).map(\.devnode) == ["/dev/input/event9", "/dev/input/event10"])
    }
}

extension Optional where Wrapped == InputDeviceRegistry.State {
    func isInUse(on node: String) -> Bool {
        if case .inUse(let inUse, _)? = self { return inUse == node }
        return false
    }
}
