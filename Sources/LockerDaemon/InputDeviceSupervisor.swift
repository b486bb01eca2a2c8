import Foundation
public import LockerDrivers
public import LockerHAL
public import Logging
import Synchronization

/// Keeps one configured scanner or keypad in use for as long as the daemon runs, across unplugs.
///
/// It waits until the device is present (woken by the hotplug monitor, or by a look every second),
/// reads it until it fails or is removed, and starts over. A replugged device is therefore back in
/// use within a second without a restart. Each state change goes to the registry (status) and the
/// log, once per change, so a device that keeps failing does not flood the journal.
public final class InputDeviceSupervisor: Sendable {
    public let name: String
    let kind: String
    let selector: PluggedDeviceSelector
    /// Builds the reader for a node; it calls `opened` once the device is open (only then is the
    /// device "in use").
    let makeReader: @Sendable (_ node: String, _ opened: @escaping @Sendable () -> Void) -> any HardwareEventSource
    let hotplug: HotplugMonitor
    let registry: InputDeviceRegistry
    let logger: Logger
    /// How often an absent or failed device is looked for without a hotplug event (the fallback
    /// where no udev monitor runs).
    let lookAgainEvery: Duration
    private let wake = WakeSignal()
    /// How often an absent device is looked for while the udev monitor runs (it wakes the
    /// supervisor on every add, so this only covers an event the monitor never delivered).
    static let safetyLookInterval = Duration.seconds(60)
    private let reading = Mutex<(node: String, task: Task<Void, any Error>)?>(nil)

    public init(name: String, kind: String, selector: PluggedDeviceSelector, hotplug: HotplugMonitor, registry: InputDeviceRegistry,
                logger: Logger, lookAgainEvery: Duration = .seconds(1),
                makeReader: @escaping @Sendable (_ node: String, _ opened: @escaping @Sendable () -> Void) -> any HardwareEventSource) {
        self.name = name
        self.kind = kind
        self.selector = selector
        self.hotplug = hotplug
        self.registry = registry
        self.logger = logger
        self.lookAgainEvery = lookAgainEvery
        self.makeReader = makeReader
        registry.register(name, kind: kind, state: .waiting(for: selector.description))
        hotplug.addListener { [weak self] event in self?.deviceChanged(event) }
    }

    public func run(delivering handler: any HardwareEventHandler) async {
        // The reason of the failure streak in progress: logged once, and retried less and less
        // often (up to 30 s; a hotplug event still wakes it at once).
        var failure: String?
        var pause = lookAgainEvery
        while !Task.isCancelled {
            guard let node = hotplug.locate(selector) else {
                failure = nil
                pause = lookAgainEvery
                if registry.set(name, .waiting(for: selector.description)) {
                    logger.notice("input device not present; waiting for it", metadata: ["device.name": "\(name)", "device.selector": "\(selector)"])
                }
                // Woken by the monitor's next add; the look on a timer is only the fallback
                // where no monitor runs (and a rare safety look where one does).
                await wake.wait(atMost: hotplug.isFollowing ? max(lookAgainEvery, Self.safetyLookInterval) : lookAgainEvery)
                continue
            }
            let (name, registry, logger) = (self.name, self.registry, self.logger)
            let reader = makeReader(node) {
                registry.set(name, .inUse(node: node, since: Date()))
                logger.info("input device in use", metadata: ["device.name": "\(name)", "device.node": "\(node)"])
            }
            let task = Task { try await reader.run(delivering: handler) }
            reading.withLock { $0 = (node, task) }
            let result = await withTaskCancellationHandler { await task.result } onCancel: { task.cancel() }
            reading.withLock { $0 = nil }
            if Task.isCancelled { return }
            switch result {
            case .failure(HardwareError.deviceMissing):
                // Unplugged between the look-up and the open, or while in use: it is waited for.
                failure = nil
                pause = lookAgainEvery
                registry.set(name, .waiting(for: selector.description))
            case .failure(let error) where !(error is CancellationError):
                let reason = "\(error)"
                registry.set(name, .failed(reason: reason))
                if reason != failure {
                    logger.warning("input device stopped", metadata: ["device.name": "\(name)", "error": "\(error)"])
                } else {
                    pause = min(pause * 2, max(lookAgainEvery, .seconds(30)))
                }
                failure = reason
            default:
                failure = nil
                pause = lookAgainEvery
                registry.set(name, .waiting(for: selector.description))
            }
            await wake.wait(atMost: pause)
        }
    }

    /// A removal of the node in use stops its reader at once (rather than at its next read
    /// error); any change wakes a supervisor that waits for its device.
    private func deviceChanged(_ event: PluggedDeviceEvent) {
        if case .removed(let device) = event {
            let current = reading.withLock { $0 }
            if let current, device.devnode == current.node || device.symlinks.contains(current.node) {
                logger.notice("input device unplugged", metadata: ["device.name": "\(name)", "device.node": "\(current.node)"])
                current.task.cancel()
            }
        }
        wake.signal()
    }
}
