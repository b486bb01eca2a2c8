import Foundation
import LockerCore
import LockerDaemon
import LockerHAL
import LockerSimulator
import LockerStore
import Logging
import Synchronization

/// A whole cabinet in one process: the real controller, store and inbox on the simulated hardware,
/// with a manual clock. Tests act as people at the cabinet and read what the display showed and
/// what the store recorded.
final class CabinetHarness: @unchecked Sendable {
    let directory: URL
    let configuration: CabinetConfiguration
    let clock: ManualCabinetClock
    let cabinet: SimulatedCabinet
    let inbox: CabinetInbox
    let store: CabinetStore
    let hardware: HardwareAssembly
    /// The cold chain on the simulated zones, when asked for.
    let coldChain: ColdChainService?
    /// The poll hold the controller sets on each key (no polled board here reads it).
    let pollDeferral = PollDeferral()
    private var tasks: [Task<Void, Never>] = []

    /// - Parameter directory: reuse one to simulate a restart on the same store and physical cabinet.
    /// - Parameter wrapBoards: puts a test double around each board (to look at the store when a latch moves).
    /// - Parameter wrapHasher: puts a test double around the pickup-code hasher (to count its hashes).
    init(configuration: CabinetConfiguration = .simulatedDefault, directory: URL? = nil,
         clock: ManualCabinetClock = ManualCabinetClock(),
         wrapBoards: (@Sendable (any LockBoard) -> any LockBoard)? = nil,
         wrapHasher: (@Sendable (any PickupCodeHasher) -> any PickupCodeHasher)? = nil, withColdChain: Bool = false) async throws {
        let directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("lockerd-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.configuration = configuration
        self.clock = clock
        let simulated = SimulatedCabinet(
            boards: configuration.boards.map {
                .init(address: $0.address, channelCount: $0.channels, hasItemSensors: $0.hasItemSensors)
            },
            stateFile: directory.appendingPathComponent("simulated-cabinet.json"))
        cabinet = simulated
        let opened = try CabinetStore(path: directory.appendingPathComponent("lockerd.sqlite").path)
        store = opened
        let key = try DeviceKey.loadOrCreate(at: directory.appendingPathComponent("device.key"))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var assemblyLogger = Logger(label: "test.hardware")
        assemblyLogger.logLevel = .critical
        let hardware = try HardwareAssembly(configuration: configuration, cabinet: simulated, logger: assemblyLogger)
        self.hardware = hardware
        let hasher: any PickupCodeHasher = HMACPickupCodeHasher(key: key)
        let controller = try CabinetController(
            configuration: configuration, store: opened, clock: clock, hasher: wrapHasher?(hasher) ?? hasher,
            boards: wrapBoards.map { hardware.boards.map($0) } ?? hardware.boards,
            display: simulated.display, buzzer: simulated.buzzer, lights: simulated.lights, logger: logger)
        controller.pollDeferrals = [pollDeferral]
        let loopInbox = CabinetInbox()
        inbox = loopInbox
        if withColdChain {
            let simulationClock = ColdChainService.SimulationClock(clock: clock)
            let zones = ColdChainHardware.build(configuration: configuration, cabinet: simulated, clock: simulationClock,
                                                  boards: hardware.boards, logger: logger)
            coldChain = ColdChainService(configuration: configuration, hardware: zones.hardware, store: opened, inbox: loopInbox,
                                         clock: clock, simulationClock: simulationClock, logger: logger)
            controller.setClimateFit(false, compartmentIDs: coldChain?.zoneCompartmentIDs ?? [])
            controller.coldChainSummary = { id, from, to in
                ColdChainService.summary(compartmentID: id, from: from, to: to, configuration: configuration, store: opened)
            }
        } else {
            coldChain = nil
        }
        tasks.append(Task { await loopInbox.run(controller) })
        tasks.append(Task { await simulated.events.run(delivering: loopInbox) })
        for source in hardware.eventSources {
            tasks.append(Task { await EventSourceSupervisor.run(source, delivering: loopInbox) })
        }
        await settle()
    }

    /// Stops the loops (the process "dies"); the directory stays for a restart.
    func stop() async {
        inbox.finish()
        cabinet.events.finish()
        for task in tasks.dropFirst(2) { task.cancel() }
        for task in tasks { await task.value }
        tasks = []
        await hardware.stop()
    }

    /// Waits until `condition` holds, for inputs that arrive through a real driver's poll loop
    /// (a pseudo-terminal and a thread: real I/O, no clock to inject). Fails after 5 s.
    func eventually(_ what: String, _ condition: () throws -> Bool) async throws -> Bool {
        for _ in 0..<1_000 {
            await settle()
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    /// Lets time pass as the daemon would: ticks, and cold-chain samples every `step` seconds.
    func advance(seconds: Double, step: Double = 30) async {
        var left = seconds
        while left > 0 {
            let now = min(step, left)
            clock.advance(seconds: now)
            left -= now
            await inbox.tick()
            await coldChain?.step()
            await settle()
        }
    }

    func removeFiles() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Waits until everything queued so far (including door reports after pulses) was handled.
    func settle() async {
        await inbox.inspect { _ in }
        await cabinet.events.drain()
        await inbox.inspect { _ in }
    }

    // MARK: - People

    func press(_ keys: String) async {
        for word in keys.split(separator: " ") {
            switch word {
            case "enter": await cabinet.press(.enter)
            case "clear": await cabinet.press(.clear)
            case "back": await cabinet.press(.back)
            case "menu": await cabinet.press(.menu)
            default:
                for character in word { await cabinet.press(.digit(UInt8(character.wholeNumberValue!))) }
            }
        }
        await settle()
    }

    func scan(_ text: String) async {
        await cabinet.scan(text)
        await settle()
    }

    func address(_ label: String) -> (board: Int, channel: Int) {
        let entry = configuration.compartments.first { $0.label == label }!
        return (entry.board, entry.channel)
    }

    func open(_ label: String, force: Bool = false) async throws {
        let a = address(label)
        try await cabinet.openDoor(board: a.board, channel: a.channel, force: force)
        await settle()
    }

    func close(_ label: String) async throws {
        let a = address(label)
        try await cabinet.closeDoor(board: a.board, channel: a.channel)
        await settle()
    }

    func put(_ label: String) async throws {
        let a = address(label)
        try await cabinet.setItem(board: a.board, channel: a.channel, present: true)
        await settle()
    }

    func take(_ label: String) async throws {
        let a = address(label)
        try await cabinet.setItem(board: a.board, channel: a.channel, present: false)
        await settle()
    }

    func isOpen(_ label: String) -> Bool {
        let a = address(label)
        return cabinet.isDoorOpen(board: a.board, channel: a.channel)
    }

    /// Lets time pass on the manual clock, ticking once per simulated second.
    func wait(seconds: Int) async {
        for _ in 0..<seconds {
            clock.advance(seconds: 1)
            await inbox.tick()
        }
        await settle()
    }

    /// Jumps far ahead (retention days) with one tick.
    func jump(seconds: Double) async {
        clock.advance(seconds: seconds)
        await inbox.tick()
        await settle()
    }

    func courierLogin(id: String = "1001", pin: String = "4321") async {
        await press("menu \(id) enter \(pin) enter")
    }

    /// Courier deposit of one parcel; returns the door label and the pickup code shown.
    func deposit(_ tracking: String, sizeKey: String = "enter", withItem: Bool = true) async throws -> (label: String, code: String?) {
        await scan(tracking)
        await press(sizeKey)
        guard let label = openDoorLabel() else { return ("", nil) }
        if withItem, hasItemSensor(label) { try await put(label) }
        try await close(label)
        return (label, shownCode())
    }

    /// A courier (logged in, then out) deposits each of `trackings`, and the residents of the first
    /// `pickedUp` take theirs with their codes; returns every door and code, in deposit order.
    func depositAll(_ trackings: [String], thenPickUp pickedUp: Int) async throws -> [(label: String, code: String)] {
        await courierLogin()
        var codes: [(label: String, code: String)] = []
        for tracking in trackings {
            let (label, code) = try await deposit(tracking)
            guard let code else { throw HarnessFailure(description: "no pickup code shown for \(tracking)") }
            codes.append((label, code))
        }
        await press("enter 2")
        for (label, code) in codes.prefix(pickedUp) {
            await press(code)
            try await take(label)
            try await close(label)
        }
        return codes
    }

    struct HarnessFailure: Error, CustomStringConvertible {
        var description: String
    }

    func hasItemSensor(_ label: String) -> Bool {
        let board = address(label).board
        return configuration.boards.first { $0.address == board }?.hasItemSensors ?? false
    }

    /// What the controller last heard from the item sensor of `label` (nil: no sensor).
    func itemSensorSeen(_ label: String) async throws -> Bool? {
        let id = try compartment(label).id
        let seen = Mutex<Bool?>(nil)
        await inbox.inspect { controller in seen.withLock { $0 = controller.itemPresent[id] } }
        return seen.withLock { $0 }
    }

    // MARK: - What the cabinet said and recorded

    var display: [String] { cabinet.display.messages }
    var lastDisplay: String { cabinet.display.lastMessage ?? "" }

    /// The door named in the last "Door X is open" or "Opening X..." message (a deposit door is
    /// "Opening" until its sensor sees it open).
    func openDoorLabel() -> String? {
        for message in display.reversed() {
            if let range = message.range(of: #"Door ([A-Z]\d\d) is open"#, options: .regularExpression) {
                return String(message[range].dropFirst(5).prefix(3))
            }
            if let range = message.range(of: #"Opening ([A-Z]\d\d)\.\.\."#, options: .regularExpression) {
                return String(message[range].dropFirst(8).prefix(3))
            }
        }
        return nil
    }

    /// The pickup code in the last "Pickup code NNNNNN" message.
    func shownCode() -> String? {
        for message in display.reversed() {
            if let range = message.range(of: #"Pickup code \d+"#, options: .regularExpression) {
                return String(message[range].split(separator: " ").last!)
            }
        }
        return nil
    }

    func events() throws -> [RecordedEvent] { try store.events() }
    func eventKinds() throws -> [String] { try events().map(\.kind) }

    func compartment(_ label: String) throws -> Compartment {
        try store.snapshot().compartments.first { $0.label == label }!
    }

    func liveParcels() throws -> [Parcel] { try store.snapshot().liveParcels }
}
