import CUdev
import Foundation
public import LockerHAL
import LockerSystem
import Synchronization

/// `PluggedDeviceSource` on libudev: `enumerate` walks sysfs (plus the udev database, when a udev
/// daemon keeps one) and `events` listens to the udev netlink monitor.
///
/// Subscribe first, enumerate after: a device plugged in between the two calls then shows up in
/// the enumeration, in the events, or in both, but never in neither. Seeing it twice is harmless
/// to a consumer that keys devices by `sysPath`.
///
/// Without a running udev daemon (a container, a minimal image) the udev database is empty, so
/// ID_VENDOR_ID, ID_SERIAL_SHORT, DEVLINKS and the like are absent and those fields are nil or
/// empty; the monitor then also stays silent, because only the daemon re-broadcasts the kernel's
/// events once its rules have run (and the `/dev/locker/...` symlinks exist).
///
/// An empty `subsystems` list asks for nothing: `enumerate` returns no devices and `events`
/// finishes at once (libudev would read an empty filter as "every subsystem").
public final class LibudevDeviceSource: PluggedDeviceSource {
    private let runningReaders = Atomic<Int>(0)

    public init() {}

    /// Event reader threads of this source that have not yet released their monitor. Lets a test
    /// check that stopping a stream really ends its thread.
    var runningMonitorReaders: Int { runningReaders.load(ordering: .acquiring) }

    public func enumerate(subsystems: [String]) throws -> [PluggedDevice] {
        guard !subsystems.isEmpty else { return [] }
        let operation = "enumerating the \(subsystems.joined(separator: ", ")) devices"
        guard let udev = udev_new() else {
            throw Self.error("creating the udev context for \(operation)", errno: Self.lastErrno(or: SystemErrno.outOfMemory))
        }
        defer { udev_unref(udev) }
        guard let enumerator = udev_enumerate_new(udev) else {
            throw Self.error(operation, errno: Self.lastErrno(or: SystemErrno.outOfMemory))
        }
        defer { udev_enumerate_unref(enumerator) }
        for subsystem in subsystems {
            let result = udev_enumerate_add_match_subsystem(enumerator, subsystem)
            if result < 0 { throw Self.error(operation, errno: -result) }
        }
        let scanned = udev_enumerate_scan_devices(enumerator)
        if scanned < 0 { throw Self.error(operation, errno: -scanned) }

        var devices: [PluggedDevice] = []
        var entry = udev_enumerate_get_list_entry(enumerator)
        while let current = entry {
            entry = udev_list_entry_get_next(current)
            // A device unplugged between the scan and this read has no sysfs directory any more;
            // its "remove" event is what tells the consumer, so it is simply skipped here.
            guard let sysPath = udev_list_entry_get_name(current),
                  let device = udev_device_new_from_syspath(udev, sysPath) else { continue }
            defer { udev_device_unref(device) }
            devices.append(Self.device(from: device))
        }
        return devices
    }

    public func events(subsystems: [String]) throws -> AsyncThrowingStream<PluggedDeviceEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: PluggedDeviceEvent.self)
        guard !subsystems.isEmpty else {
            continuation.finish()
            return stream
        }
        let monitor = try MonitorHandle(subsystems: subsystems)
        runningReaders.add(1, ordering: .releasing)
        // A thread of its own: poll(2) blocks, and must not hold one of the few threads that run
        // Swift tasks. It sleeps until an event or the consumer's stop: no wake-ups while nothing
        // is plugged.
        let (events, _) = ReaderThread.start(name: "lockerd.udev-monitor") { [self] (stop, yield: (PluggedDeviceEvent) -> Void) in
            defer {
                monitor.release()
                runningReaders.subtract(1, ordering: .releasing)
            }
            try Self.read(monitor, yielding: yield, until: stop)
        }
        return events
    }

    /// The udev properties of one device as the hotplug layer names them. Pure, so the mapping can
    /// be checked without sysfs. Empty values count as absent (udev writes some keys empty).
    public static func device(sysPath: String, subsystem: String, devnode: String?,
                              properties: [String: String]) -> PluggedDevice {
        func value(_ key: String) -> String? {
            guard let value = properties[key], !value.isEmpty else { return nil }
            return value
        }
        let symlinks = (properties["DEVLINKS"] ?? "").split(separator: " ").map(String.init)
        return PluggedDevice(
            sysPath: sysPath, subsystem: subsystem, devnode: devnode,
            vendorID: value("ID_VENDOR_ID"), productID: value("ID_MODEL_ID"), serial: value("ID_SERIAL_SHORT"),
            symlinks: symlinks, properties: properties
        )
    }

    // MARK: - Reading libudev devices

    private static func device(from device: OpaquePointer) -> PluggedDevice {
        var properties: [String: String] = [:]
        var entry = udev_device_get_properties_list_entry(device)
        while let current = entry {
            entry = udev_list_entry_get_next(current)
            guard let name = udev_list_entry_get_name(current) else { continue }
            properties[String(cString: name)] = udev_list_entry_get_value(current).map { String(cString: $0) } ?? ""
        }
        return Self.device(
            sysPath: String(cString: udev_device_get_syspath(device)),
            subsystem: udev_device_get_subsystem(device).map { String(cString: $0) } ?? "",
            devnode: udev_device_get_devnode(device).map { String(cString: $0) },
            properties: properties
        )
    }

    /// Runs on the reader thread until the consumer stops (returns) or the monitor fails (throws).
    private static func read(_ monitor: MonitorHandle, yielding yield: (PluggedDeviceEvent) -> Void, until stop: ReaderStop) throws {
        let descriptor = FileDescriptor(rawValue: monitor.fileDescriptor, path: "udev monitor")
        while !stop.isRequested {
            let seen: FileDescriptor.PollEvents
            do {
                seen = try FileDescriptor.poll([descriptor, stop.signal], for: .readable, milliseconds: -1)[0]
            } catch {
                throw Self.error("waiting for udev monitor events", errno: error.code)
            }
            if seen.isEmpty { continue }
            if !seen.contains(.readable) {
                throw Self.error("waiting for udev monitor events", errno: SystemErrno.inputOutput)
            }
            SystemErrno.clear()
            guard let device = udev_monitor_receive_device(monitor.monitor) else {
                // EAGAIN: the message did not pass the subsystem filter. ENOBUFS: the kernel
                // dropped events because the socket was full, so the consumer's picture may be
                // wrong; ending the stream makes it subscribe and enumerate again. Anything else
                // is one malformed message, which libudev has already consumed.
                if SystemErrno.current == SystemErrno.noBufferSpace {
                    throw Self.error("receiving udev monitor events (some were lost)", errno: SystemErrno.noBufferSpace)
                }
                continue
            }
            defer { udev_device_unref(device) }
            let action = udev_device_get_action(device).map { String(cString: $0) }
            switch action {
            case "add": yield(.added(Self.device(from: device)))
            case "remove": yield(.removed(Self.device(from: device)))
            default: break
            }
        }
    }

    private static func error(_ operation: String, errno code: Int32) -> HardwareError {
        .io(device: "udev", operation: operation, detail: errnoText(code))
    }

    fileprivate static func errnoText(_ code: Int32) -> String {
        "\(SystemCallError.message(code)) (errno \(code))"
    }

    private static func lastErrno(or fallback: Int32) -> Int32 {
        let code = SystemErrno.current
        return code == 0 ? fallback : code
    }
}

/// A udev context and its netlink monitor, set up on the calling thread (so that failures throw
/// from `events`) and then used by the reader thread alone. libudev objects are not thread-safe,
/// but they are only unsafe when two threads use them at once; handing them over once, before the
/// reader starts, is safe, which is why this box may be `@unchecked Sendable`.
private final class MonitorHandle: @unchecked Sendable {
    let udev: OpaquePointer
    let monitor: OpaquePointer
    let fileDescriptor: Int32

    init(subsystems: [String]) throws {
        SystemErrno.clear()
        guard let udev = udev_new() else {
            let code = SystemErrno.current
            throw Self.notCreated(because: "the udev context could not be created", errno: code == 0 ? SystemErrno.outOfMemory : code)
        }
        SystemErrno.clear()
        guard let monitor = udev_monitor_new_from_netlink(udev, "udev") else {
            let code = SystemErrno.current == 0 ? SystemErrno.protocolNotSupported : SystemErrno.current
            udev_unref(udev)
            throw Self.notCreated(because: "the kernel refused a device-event netlink socket", errno: code)
        }
        for subsystem in subsystems {
            let result = udev_monitor_filter_add_match_subsystem_devtype(monitor, subsystem, nil)
            if result < 0 {
                udev_monitor_unref(monitor)
                udev_unref(udev)
                throw Self.notCreated(because: "the filter for subsystem \(subsystem) was refused", errno: -result)
            }
        }
        let enabled = udev_monitor_enable_receiving(monitor)
        if enabled < 0 {
            udev_monitor_unref(monitor)
            udev_unref(udev)
            throw Self.notCreated(because: "its netlink socket could not be bound", errno: -enabled)
        }
        self.udev = udev
        self.monitor = monitor
        self.fileDescriptor = udev_monitor_get_fd(monitor)
    }

    /// Closes the socket and frees the context; called once, by the reader thread as it ends.
    func release() {
        udev_monitor_unref(monitor)
        udev_unref(udev)
    }

    private static func notCreated(because reason: String, errno code: Int32) -> HardwareError {
        .io(device: "udev", operation: "creating the udev monitor",
            detail: "\(reason): \(LibudevDeviceSource.errnoText(code)); without it hotplugged devices are not noticed")
    }
}
