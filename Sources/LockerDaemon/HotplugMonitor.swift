import Foundation
public import LockerDrivers
public import LockerHAL
public import Logging
import Synchronization

/// Follows the scanners, keypads and USB-RS485 adapters being plugged in and out.
///
/// It keeps the table of present devices (udev enumeration at start, then the monitor's adds and
/// removes) and wakes the input-device supervisors on every change, so a replugged scanner is read
/// again at once. Where the monitor is unavailable (no netlink in a container) the supervisors'
/// one-second look-up still finds a device by path, and USB matches are looked up in sysfs again.
public final class HotplugMonitor: Sendable {
    public static let subsystems = ["tty", "input"]

    /// Adapters of lock boards, by path: their comings and goings are logged (the bus reopens the
    /// device itself when it is back).
    let adapterPaths: [String]
    private let source: (any PluggedDeviceSource)?
    private let logger: Logger
    private let devices = Mutex<[String: PluggedDevice]>([:])
    private let monitorRunning = Mutex(false)
    /// When sysfs was last enumerated for a USB match without a monitor (see `locate`).
    private let lastLookWithoutMonitor = Mutex<ContinuousClock.Instant?>(nil)
    /// How often a USB-matched device that is absent is looked for in sysfs where no monitor
    /// runs: each look walks a few hundred sysfs files.
    static let sysfsLookInterval = Duration.seconds(10)
    private let listeners = Mutex<[@Sendable (PluggedDeviceEvent) -> Void]>([])

    public init(source: (any PluggedDeviceSource)?, adapterPaths: [String], logger: Logger) {
        self.source = source
        self.adapterPaths = adapterPaths
        self.logger = logger
    }

    /// Called on every add and remove, after the table changed.
    func addListener(_ listener: @escaping @Sendable (PluggedDeviceEvent) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    /// Subscribes first and enumerates after, so nothing plugged in between is missed (an add seen
    /// twice is harmless: the table is keyed by sysfs path). A monitor that stops (the kernel's
    /// buffer overflowed and events were lost) is subscribed again, with the table re-read, after a
    /// pause that grows while it keeps failing. Returns when cancelled.
    public func run() async {
        guard let source else { return }
        var pause = Duration.seconds(1)
        while !Task.isCancelled {
            let events: AsyncThrowingStream<PluggedDeviceEvent, any Error>
            do {
                events = try source.events(subsystems: Self.subsystems)
                monitorRunning.withLock { $0 = true }
            } catch {
                logger.notice("udev monitor unavailable; devices are looked up every second instead", metadata: ["error": "\(error)"])
                refresh()
                return
            }
            refresh()
            do {
                for try await event in events {
                    apply(event)
                    pause = .seconds(1)
                }
                if Task.isCancelled { break }
                logger.warning("udev monitor ended; subscribing again")
            } catch {
                logger.warning("udev monitor stopped (events may have been lost); subscribing again", metadata: ["error": "\(error)"])
            }
            monitorRunning.withLock { $0 = false }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(60))
        }
        monitorRunning.withLock { $0 = false }
    }

    /// Applies one add or remove (the monitor's, or a test's through the same path).
    public func apply(_ event: PluggedDeviceEvent) {
        switch event {
        case .added(let device):
            devices.withLock { $0[device.sysPath] = device }
            if let node = device.devnode, isAdapter(device) { logger.notice("RS-485 adapter plugged in", metadata: ["device": "\(node)"]) }
        case .removed(let device):
            let known = devices.withLock { $0.removeValue(forKey: device.sysPath) } ?? device
            if let node = known.devnode, isAdapter(known) {
                logger.warning("RS-485 adapter removed: its boards go offline until it is back", metadata: ["device": "\(node)"])
            }
        }
        for listener in listeners.withLock({ $0 }) { listener(event) }
    }

    /// The node a configured device is on now, if it is present.
    func locate(_ selector: PluggedDeviceSelector) -> String? {
        switch selector.criterion {
        case .path(let path):
            // A fixed path (or a udev symlink to the node) is opened as written.
            return FileManager.default.fileExists(atPath: path) ? path : nil
        case .usb:
            if let found = present(selector) { return found }
            // Without a monitor the table ages: look in sysfs again, but not on every look (the
            // supervisors look every second, and a walk of sysfs is a few hundred openat calls).
            guard !isFollowing else { return nil }
            let now = ContinuousClock.now
            let due = lastLookWithoutMonitor.withLock { last in
                guard last.map({ now - $0 >= Self.sysfsLookInterval }) ?? true else { return false }
                last = now
                return true
            }
            if due { refresh() }
            return present(selector)
        }
    }

    /// Whether the udev monitor delivers adds and removes now: supervisors then wait for its
    /// events instead of looking on a timer.
    var isFollowing: Bool { monitorRunning.withLock { $0 } }

    /// Whether a device with this node is in the table (status and tests).
    public func isPresent(_ node: String) -> Bool {
        devices.withLock { $0.values.contains { $0.devnode == node } }
    }

    private func present(_ selector: PluggedDeviceSelector) -> String? {
        devices.withLock { devices in
            PluggedDeviceSelector.rank(devices.values.filter { selector.selects($0) }).first?.devnode
        }
    }

    private func refresh() {
        guard let source else { return }
        do {
            let found = try source.enumerate(subsystems: Self.subsystems)
            let added = devices.withLock { devices -> [PluggedDevice] in
                let before = devices
                devices = Dictionary(found.map { ($0.sysPath, $0) }, uniquingKeysWith: { _, last in last })
                return devices.values.filter { before[$0.sysPath] == nil }
            }
            // Supervisors that looked before the table was filled are woken now, not a second later.
            let listeners = self.listeners.withLock { $0 }
            for device in added { for listener in listeners { listener(.added(device)) } }
        } catch {
            logger.warning("udev enumeration failed", metadata: ["error": "\(error)"])
        }
    }

    private func isAdapter(_ device: PluggedDevice) -> Bool {
        guard let node = device.devnode else { return false }
        return adapterPaths.contains { path in
            path == node || device.symlinks.contains(path)
                || (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map { resolve($0, relativeTo: path) == node } == true
        }
    }

    private func resolve(_ target: String, relativeTo link: String) -> String {
        target.hasPrefix("/") ? target : (link as NSString).deletingLastPathComponent + "/" + target
    }
}
