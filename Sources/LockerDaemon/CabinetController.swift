public import Foundation
#if canImport(Glibc)
import Glibc
#endif
public import LockerColdChain
public import Logging
public import LockerCore
public import LockerHAL
public import LockerStore
import LockerUplink

/// The cabinet's one decision loop: hardware events, panel actions and ticks go through here, one
/// at a time (the `CabinetRuntime` loop owns it; it is deliberately not an actor, so no two inputs
/// can interleave at an `await`).
///
/// The rule every method follows: commit the custody transition and its event in one store
/// transaction, *then* update the in-memory model, *then* tell the person or pulse the latch.
/// A failed commit changes nothing and is reported; it never opens a door.
public final class CabinetController {
    public struct RecentPickup: Sendable, Equatable {
        var compartmentID: Int
        var until: Date
        var reopened: Bool
    }

    /// The configuration file's, with the policy changes the central server made (see
    /// `CabinetConfiguration.remotelyChangeable`).
    public internal(set) var configuration: CabinetConfiguration
    /// The configuration as the file says, before the server's changes.
    let fileConfiguration: CabinetConfiguration
    let store: CabinetStore
    let clock: any CabinetClock
    let hasher: any PickupCodeHasher
    let logger: Logger
    let boards: [Int: any LockBoard]
    let display: any Display
    let buzzer: any Buzzer
    let lights: any IndicatorLights
    let map: HardwareMap
    let codePolicy: PickupCodePolicy
    var attemptPolicy: CodeAttemptGuard.Policy
    var doorPolicy: DoorWatchStateMachine.Policy
    var retention: RetentionPolicy

    public internal(set) var model: CabinetModel
    public internal(set) var panel: PanelStateMachine
    public internal(set) var doors: [DoorWatchStateMachine]
    /// Per compartment: what the item sensor last said, nil where there is none.
    public private(set) var itemPresent: [Bool?]
    public private(set) var attemptGuard: CodeAttemptGuard
    public private(set) var offlineBoards: Set<Int> = []
    private var recentPickups: [String: RecentPickup] = [:]
    /// Pre-advice by tracking number; durable (the store keeps it until its deposit commits).
    var preAdvice: [String: ParcelIntake] = [:]
    private var lastPublishedSequence: Int64
    private var lastOverdueCheck: Date?
    private var lastBoardPoll: Date?
    private var generator = SystemRandomNumberGenerator()

    /// Called with every committed event, in sequence order, after it is durable.
    public var onEvent: (@Sendable (RecordedEvent) -> Void)?
    /// Called once after `onEvent` was given a batch of new events (wakes the event followers).
    public var afterEvents: (@Sendable () -> Void)?
    /// Called on every wrong pickup code (metrics).
    public var onWrongCode: (@Sendable () -> Void)?
    /// Called after each latch command with the time since the input that caused it arrived
    /// (for a pickup: from the last key of the code to the board accepting the unlock).
    public var onUnlock: (@Sendable (Duration) -> Void)?
    /// The cold-chain record of a compartment from a deposit time to now (nil for compartments no
    /// zone watches): read before a pickup commits, so its event carries the summary.
    public var coldChainSummary: (@Sendable (_ compartmentID: Int, _ from: Date, _ to: Date) -> ColdChainSummary?)?
    /// When the input being handled was posted (measurement only, never a decision).
    var inputArrived = ContinuousClock.now
    /// How much room the store has (injected in tests: a full disk is hard to arrange).
    var storageProbe: @Sendable () -> (databaseBytes: Int64, volumeFreeBytes: Int64?)
    /// Seals drawn pickup codes for the central server (nil: none configured).
    let codeSealer: PickupCodeSealer?
    /// Deposits are refused while the store is over its budget or its disk nearly full.
    public internal(set) var storageFull = false
    private var lastStorageCheck: Date?
    private var lastTimeHighWater: Date?
    /// Maintenance self-tests waiting for a door to open after its pulse, called once with nil
    /// when the sensor saw it open, or with why it did not (latch, board, shutdown).
    var doorOpenWaiters: [Int: (String?) -> Void] = [:]

    public init(
        configuration: CabinetConfiguration, store: CabinetStore, clock: any CabinetClock,
        hasher: any PickupCodeHasher, boards: [any LockBoard], display: any Display, buzzer: any Buzzer,
        lights: any IndicatorLights, logger: Logger
    ) throws {
        try configuration.validate()
        self.fileConfiguration = configuration
        var configuration = configuration
        // The server's policy changes outlive restarts; ones that no longer fit the file (it
        // changed since) are set aside with a log line rather than stopping the cabinet.
        if let text = try store.configurationOverrides(),
           let overrides = try? JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8)) {
            do {
                configuration = try configuration.applying(overrides)
            } catch {
                logger.error("the server's configuration changes do not apply to this configuration file; not used",
                             metadata: ["error": "\(error)"])
            }
        }
        self.configuration = configuration
        self.store = store
        self.clock = clock
        self.hasher = hasher
        self.logger = logger
        self.boards = Dictionary(boards.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
        self.display = display
        self.buzzer = buzzer
        self.lights = lights
        self.map = HardwareMap(configuration)
        self.codePolicy = PickupCodePolicy(length: configuration.pickupCodeLength)
        self.attemptPolicy = CodeAttemptGuard.Policy(
            freeAttempts: configuration.wrongCodesBeforeLockout, baseLockoutSeconds: configuration.firstLockoutSeconds,
            maximumLockoutSeconds: configuration.maximumLockoutSeconds)
        self.doorPolicy = DoorWatchStateMachine.Policy(
            openConfirmationSeconds: configuration.doorOpenConfirmationSeconds,
            reminderSeconds: configuration.doorReminderSeconds, alarmSeconds: configuration.doorAlarmSeconds)
        self.retention = configuration.retentionPolicy
        self.storageProbe = { (try? store.storageUse()) ?? (0, nil) }
        self.codeSealer = PickupCodeSealer(base64Key: configuration.uplink?.codeSealingKey, cabinetID: configuration.cabinetID)

        try store.installLayout(configuration.layout())
        let snapshot = try store.snapshot()
        let compartments = Array(snapshot.compartments.prefix(configuration.compartments.count))
        self.model = CabinetModel(compartments: compartments, liveParcels: snapshot.liveParcels,
                                  codeHashes: snapshot.codeHashes, pending: snapshot.pending)
        self.attemptGuard = snapshot.attemptGuard
        self.panel = PanelStateMachine(codePolicy: codePolicy)
        let now = clock.now()
        self.doors = compartments.map { DoorWatchStateMachine(isOpen: $0.isDoorOpen, now: now) }
        self.itemPresent = Array(repeating: nil, count: compartments.count)
        self.lastPublishedSequence = try store.lastEventSequence()
        for intake in try store.preAdvice() { preAdvice[intake.trackingNumber] = intake }
    }

    // MARK: - Start

    /// Records the start, reads every door sensor and reconciles it with the store, so that a door
    /// that was mid-transition when power failed ends in a defined, recorded state.
    public func start() async {
        let compartmentCount = Int64(configuration.compartments.count)
        commit("start record") { tx in
            try tx.append(CustodyEvent(.daemonStarted, payload: ["compartments": .int(compartmentCount)]))
        }
        for board in configuration.boards.map(\.address) {
            guard let link = boards[board] else {
                await boardLost(board, detail: "no driver for board \(board)")
                continue
            }
            do {
                let status = try await link.readStatus()
                await reconcile(board: board, status: status)
            } catch {
                await boardLost(board, detail: "\(error)")
            }
        }
        await show(.welcome)
        publishNewEvents()
    }

    // MARK: - Inputs

    public func handle(_ event: HardwareEvent) async {
        switch event {
        case .key(let key):
            await perform(panel.keyPressed(Self.panelKey(key), now: clock.now()))
        case .scan(let text, let scanner):
            await scanned(text, scanner: scanner)
        case .doorChanged(let board, let channel, let isOpen):
            guard let id = map.compartment(board: board, channel: channel) else {
                logger.warning("door change on an unmapped channel", metadata: ["board.address": "\(board)", "board.channel": "\(channel)"])
                return
            }
            await doorChanged(id, isOpen: isOpen)
        case .itemChanged(let board, let channel, let isPresent):
            if let id = map.compartment(board: board, channel: channel) { itemPresent[id] = isPresent }
        case .boardLost(let board, let detail):
            await boardLost(board, detail: detail)
        case .boardBack(let board):
            await boardBack(board)
        }
        publishNewEvents()
    }

    /// Time passes: timeouts, door reminders and alarms, overdue parcels, offline boards.
    public func tick() async {
        let now = clock.now()
        await perform(panel.tick(now: now))
        for id in doors.indices where doors[id].phase != .closed {
            for action in doors[id].tick(now: now, policy: doorPolicy) { await doorAction(action, compartmentID: id) }
        }
        if lastTimeHighWater.map({ now.timeIntervalSince($0) >= 600 }) ?? true {
            // The latest time seen, kept durably every 10 minutes even when nothing happens, so
            // that setting the clock back cannot revive an expired credential (see presentCredential).
            lastTimeHighWater = now
            commit("time high-water mark") { tx in try tx.advanceTimeHighWater() }
        }
        if lastStorageCheck.map({ now.timeIntervalSince($0) >= 30 }) ?? true {
            lastStorageCheck = now
            checkStorage()
        }
        if lastOverdueCheck.map({ now.timeIntervalSince($0) >= 10 }) ?? true {
            lastOverdueCheck = now
            flagOverdueParcels(now: now)
        }
        if !offlineBoards.isEmpty, lastBoardPoll.map({ now.timeIntervalSince($0) >= 5 }) ?? true {
            lastBoardPoll = now
            for board in offlineBoards.sorted() { await boardBack(board) }
        }
        recentPickups = recentPickups.filter { $0.value.until > now }
        publishNewEvents()
    }

    /// Pre-advice from the central server (its delivery comes with the uplink; the simulator's
    /// front panel can enter some by hand).
    public func addPreAdvice(_ intake: ParcelIntake) {
        guard commit("pre-advice", { tx in try tx.savePreAdvice(intake) }) != nil else { return }
        preAdvice[intake.trackingNumber] = intake
    }

    // MARK: - Panel actions

    func perform(_ actions: [PanelAction]) async {
        for action in actions { await perform(action) }
    }

    func perform(_ action: PanelAction) async {
        switch action {
        case .show(let message):
            await show(message)
        case .attemptPickup(let code):
            await attemptPickup(code: code)
        case .authenticateCourier(let id, let pin):
            // Courier PINs count against the same keypad lockout as pickup codes: a known
            // courier id must not be a way to guess without limit.
            if case .lockedOut(let seconds) = attemptGuard.verdict(now: clock.now()) {
                await buzzer.play(.error)
                await perform(panel.courierAuthenticated(nil, now: clock.now()))
                await show(.lockedOut(seconds: seconds))
                return
            }
            let courier = authenticate(id: id, pin: pin)
            if courier == nil {
                logger.notice("courier login refused", metadata: ["courier.id": "\(id)"])
                await perform(panel.courierAuthenticated(nil, now: clock.now()))
                await wrongCode(now: clock.now(), courierPIN: true)
                return
            }
            var succeeded = attemptGuard
            succeeded.recordSuccess()
            if succeeded != attemptGuard {
                let toSave = succeeded
                if commit("keypad guard reset", { tx in try tx.save(toSave) }) != nil { attemptGuard = succeeded }
            }
            await perform(panel.courierAuthenticated(courier, now: clock.now()))
        case .identifyParcel(let trackingNumber, _):
            await identifyParcel(trackingNumber)
        case .depositParcel(let intake, let courier):
            await startDeposit(intake, courierID: courier.id)
        case .requestLargerDoor(let id):
            await largerDoor(than: id)
        case .reportDoorDidNotOpen(let id):
            await depositLatchFailed(id, reportedByCourier: true)
        case .cancelDeposit(let id):
            if cancelOpenDeposit(id, reason: "cancelled by courier") {
                await perform(panel.depositFinished(.depositCancelled(label: label(id)), now: clock.now()))
            }
        case .retrieveOverdue(let courier):
            await startRetrieval(courierID: courier.id)
        case .presentCredential(let text):
            await presentCredential(text)
        }
    }

    // MARK: - Pickup

    /// A resident typed a complete code.
    ///
    /// Power failure at each step: before the commit, nothing happened (the resident types the
    /// code again). After the commit and before or during the pulse, the store says "pickup door
    /// opened" with the parcels still in custody; on restart the door sensor decides (closed with
    /// the item sensor empty: pickup committed; otherwise the parcels stay in custody and the code
    /// stays valid). After the door closed and before the pickup commit: the same reconciliation.
    func attemptPickup(code: String) async {
        let now = clock.now()
        if case .lockedOut(let seconds) = attemptGuard.verdict(now: now) {
            await buzzer.play(.error)
            await show(.lockedOut(seconds: seconds))
            return
        }
        let hash = hasher.hash(code: code)
        guard let id = model.compartmentID(forCodeHash: hash) else {
            if let recent = recentPickups[hash], recent.until > now, !recent.reopened {
                await graceReopen(recent, codeHash: hash)
                return
            }
            await wrongCode(now: now)
            return
        }
        let compartment = model.compartments[id]
        let parcels = model.liveParcels[id] ?? []
        if case .pickup = model.pending[id] {
            // Already open for this code (typed twice): say so rather than count a failure.
            await show(.pickupDoorOpen(label: compartment.label))
            return
        }
        guard model.pending[id] == nil, !model.offline.contains(id), !parcels.isEmpty,
              compartment.state == .occupied || compartment.state == .overdue
        else {
            await show(.doorUnavailable(label: compartment.label))
            return
        }
        var succeeded = attemptGuard
        succeeded.recordSuccess()
        let parcelIDs = parcels.map(\.id)
        let operation = PendingOperation.pickup(parcelIDs: parcelIDs, codeHash: hash)
        let guardToSave = succeeded
        guard let updated = commit("pickup door opening", { tx in
            var c = try tx.compartment(id)
            c.latchCycles += 1
            try tx.update(c)
            try tx.setPending(operation, compartmentID: id)
            try tx.save(guardToSave)
            try tx.append(CustodyEvent(.pickupDoorOpened, compartmentID: id, payload: [
                "label": .string(c.label), "parcel_ids": .ints(parcelIDs),
            ]))
            return c
        }) else {
            await show(.failure("The cabinet cannot record this pickup right now. Please see staff."))
            return
        }
        attemptGuard = succeeded
        model.replace(updated)
        model.setPending(operation, compartmentID: id)
        if await pulse(id) {
            await show(.pickupDoorOpen(label: updated.label))
            await buzzer.play(.confirm)
        } else {
            _ = clearPending(id, event: CustodyEvent(.pickupNotTaken, compartmentID: id, payload: [
                "label": .string(updated.label), "reason": "board not answering",
            ]))
            await show(.doorUnavailable(label: updated.label))
        }
    }

    /// - Parameter courierPIN: a courier's wrong PIN: the panel already said "not recognised",
    ///   so only a lockout is shown.
    private func wrongCode(now: Date, courierPIN: Bool = false) async {
        onWrongCode?()
        var next = attemptGuard
        let outcome = next.recordFailure(now: now, policy: attemptPolicy)
        let failures = next.consecutiveFailures
        let toSave = next
        // The failure count is committed before the person sees the answer: pulling the plug
        // after a wrong guess must not give the guesser the try back.
        let recorded: Bool? = commit("wrong-code count") { tx in
            try tx.save(toSave)
            if case .lockedOut(let seconds) = outcome {
                try tx.append(CustodyEvent(.codeLockout, payload: [
                    "consecutive_failures": .int(Int64(failures)), "lockout_seconds": .int(Int64(seconds)),
                ]))
            }
            return true
        }
        guard recorded != nil else {
            await show(.failure("The cabinet cannot check codes right now. Please see staff."))
            return
        }
        attemptGuard = next
        await buzzer.play(.error)
        switch outcome {
        case .triesLeft(let left): if !courierPIN { await show(.wrongCode(triesLeft: left)) }
        case .lockedOut(let seconds): await show(.lockedOut(seconds: seconds))
        }
    }

    private func graceReopen(_ recent: RecentPickup, codeHash: String) async {
        let id = recent.compartmentID
        let compartment = model.compartments[id]
        guard compartment.state == .available, model.pending[id] == nil, !model.offline.contains(id) else {
            await show(.doorUnavailable(label: compartment.label))
            return
        }
        guard let updated = commit("grace reopen", { tx in
            var c = try tx.compartment(id)
            c.latchCycles += 1
            try tx.update(c)
            try tx.append(CustodyEvent(.pickupReopened, compartmentID: id, payload: ["label": .string(c.label)]))
            return c
        }) else { return }
        recentPickups[codeHash]?.reopened = true
        model.replace(updated)
        if await pulse(id) { await show(.pickupDoorOpen(label: updated.label)) }
    }

    private func completePickup(_ id: Int, parcelIDs: [Int64], codeHash: String) async {
        // Read before the commit (a read inside the write transaction could not see it anyway).
        let temperature = coldChainPayload(
            compartmentID: id, parcels: (model.liveParcels[id] ?? []).filter { parcelIDs.contains($0.id) }, until: clock.now())
        guard let (updated, parcels) = commit("pickup", { tx -> (Compartment, [Parcel]) in
            let parcels = try tx.liveParcels(compartmentID: id).filter { parcelIDs.contains($0.id) }
            try tx.setStatus(.pickedUp, parcelIDs: parcels.map(\.id))
            let remaining = try tx.liveParcels(compartmentID: id)
            var c = try tx.compartment(id)
            if remaining.isEmpty {
                try tx.setCodeHash(nil, compartmentID: id)
                if c.state == .occupied || c.state == .overdue { c.state = .available }
            }
            try tx.update(c)
            try tx.setPending(nil, compartmentID: id)
            try tx.append(CustodyEvent(.pickupCommitted, compartmentID: id, payload: [
                "label": .string(c.label), "parcel_ids": .ints(parcels.map(\.id)),
                "tracking_numbers": .strings(parcels.map(\.trackingNumber)),
            ].merging(temperature ?? [:]) { first, _ in first }))
            return (c, remaining)
        }) else { return }
        model.setLiveParcels(parcels, compartmentID: id)
        if parcels.isEmpty { model.setCodeHash(nil, compartmentID: id) }
        model.replace(updated)
        model.setPending(nil, compartmentID: id)
        recentPickups[codeHash] = RecentPickup(
            compartmentID: id, until: clock.now().addingTimeInterval(configuration.pickupGraceSeconds), reopened: false)
        await show(.pickupDone(label: updated.label))
    }

    // MARK: - Deposit

    private func identifyParcel(_ trackingNumber: String) async {
        if let parcel = model.allLiveParcels.first(where: { $0.trackingNumber == trackingNumber }) {
            await buzzer.play(.error)
            await perform(panel.depositFinished(.trackingRejected(
                reason: "parcel \(trackingNumber) is already in \(label(parcel.compartmentID))"), now: clock.now()))
            return
        }
        if let id = model.pending.first(where: {
            if case .deposit(let intake, _, _) = $0.value { return intake.trackingNumber == trackingNumber }
            return false
        })?.key {
            await perform(panel.depositFinished(.trackingRejected(
                reason: "parcel \(trackingNumber) is being deposited in \(label(id))"), now: clock.now()))
            return
        }
        var intake = preAdvice[trackingNumber] ?? ParcelIntake(trackingNumber: trackingNumber, size: .s)
        if preAdvice[trackingNumber] == nil {
            // No pre-advice: suggest the smallest size that has a free door right now.
            intake.size = CompartmentSize.allCases.filter({ $0 >= .s }).first { size in
                var probe = intake
                probe.size = size
                return model.choose(for: probe) != nil
            } ?? .m
        }
        await perform(panel.parcelIdentified(intake))
    }

    /// Reserves a compartment and opens it for a courier.
    ///
    /// Power failure at each step: before the reservation commit, nothing happened and no door
    /// opened. After it, the compartment is `reserved` with the parcel's details; on restart a door
    /// found closed is settled by its item sensor (parcel inside: deposit recovered and a code
    /// issued; empty: reservation released; no sensor: quarantined for a technician), and a door
    /// found open finishes the deposit when it closes. The parcel enters custody only with the
    /// deposit commit on door close, which is also when the code is issued.
    private func startDeposit(_ intake: ParcelIntake, courierID: String, minimumSize: CompartmentSize? = nil,
                              excluding: Int? = nil) async {
        checkStorage()
        if storageFull {
            // Every parcel taken in means events to record until it is picked up; with the store
            // full those could not be kept, so none is taken in. Pickups go on.
            await buzzer.play(.error)
            await perform(panel.depositRefused(.failure("This cabinet cannot take parcels right now (its storage is full). Pickups still work.")))
            return
        }
        // Each retry excludes a board that just went offline, so this ends.
        for _ in 0...boards.count {
            guard let choice = model.choose(for: intake, minimumSize: minimumSize, excluding: excluding) else {
                await buzzer.play(.error)
                // A cold parcel whose class has compartments, all out of range or with a faulty
                // probe: the courier must know it is the temperature, not the size.
                let coldButUnfit = intake.temperatureClass != .ambient && model.climateUnfit.contains {
                    model.compartments[$0].temperatureClass == intake.temperatureClass
                }
                if coldButUnfit {
                    await perform(panel.depositRefused(.failure(
                        "No \(intake.temperatureClass) compartment is at its temperature right now, so this parcel cannot be taken. Nothing was deposited.")))
                    return
                }
                await perform(panel.depositRefused(.noCompartment(
                    size: max(minimumSize ?? intake.size, intake.size), temperatureClass: intake.temperatureClass)))
                return
            }
            let id = Int(choice.slot)
            let shared = choice.isShared
            let operation = PendingOperation.deposit(intake, courierID: courierID, isShared: shared)
            guard let updated = commit("deposit reservation", { tx in
                var c = try tx.compartment(id)
                if !shared { c.state = .reserved }
                c.latchCycles += 1
                // Pending first: the schema insists a reserved compartment says what it is reserved for.
                try tx.setPending(operation, compartmentID: id)
                try tx.update(c)
                try tx.append(CustodyEvent(.depositDoorOpened, compartmentID: id, payload: [
                    "label": .string(c.label), "tracking_number": .string(intake.trackingNumber),
                    "courier_id": .string(courierID), "size": .string(intake.size.description),
                    "temperature_class": .string(intake.temperatureClass.description), "shared": .bool(shared),
                ]))
                return c
            }) else {
                await perform(panel.depositRefused(.failure("The cabinet cannot record a deposit right now. Please see staff.")))
                return
            }
            model.replace(updated)
            model.setPending(operation, compartmentID: id)
            if await pulse(id) {
                await perform(panel.depositDoorOpened(compartmentID: id, label: updated.label))
                await buzzer.play(.confirm)
                return
            }
            _ = releaseDeposit(id, reason: "board not answering")
        }
    }

    private func largerDoor(than id: Int) async {
        guard case .deposit(let intake, let courierID, _) = model.pending[id] else { return }
        let current = model.compartments[id].size
        guard let bigger = CompartmentSize(rawValue: current.rawValue + 1) else {
            await show(.noCompartment(size: current, temperatureClass: intake.temperatureClass))
            return
        }
        // The parcel did not fit: it is at least one size above this door.
        var larger = intake
        larger.size = max(intake.size, bigger)
        guard model.choose(for: larger, excluding: id) != nil else {
            await show(.noCompartment(size: bigger, temperatureClass: intake.temperatureClass))
            return
        }
        // The old door is still open: it stays out of service until it is closed and seen empty.
        guard cancelOpenDeposit(id, reason: "courier asked for a larger door") else { return }
        await show(.pleaseCloseDoor(label: label(id)))
        await startDeposit(larger, courierID: courierID, excluding: id)
    }

    /// The deposit door did not open (reported by the courier or seen by the sensor): the
    /// compartment is quarantined and, if the courier is still there, another door is opened.
    private func depositLatchFailed(_ id: Int, reportedByCourier: Bool) async {
        guard case .deposit(let intake, let courierID, _) = model.pending[id] else { return }
        if doors[id].isOpen {
            // The sensor saw it open: the latch worked. Nothing to quarantine.
            await show(.depositDoorOpen(label: label(id)))
            return
        }
        let reason = reportedByCourier ? "courier reported the door did not open" : "door sensor did not see the door open"
        guard releaseDeposit(id, reason: reason, quarantine: "latch did not open: \(reason)", latchFailed: true) else { return }
        // The door never opened: stop waiting for it (no second latch failure later).
        doors[id] = DoorWatchStateMachine(isOpen: false, now: clock.now())
        resolveDoorWaiter(id, failure: "the latch did not open (\(reason)); quarantined")
        await buzzer.play(.error)
        await show(.doorDidNotOpen(label: label(id)))
        if panel.isDepositOpen(compartmentID: id) {
            await startDeposit(intake, courierID: courierID, excluding: id)
        }
    }

    /// The courier gave up this door while it is open: recorded now (event), settled when it closes.
    private func cancelOpenDeposit(_ id: Int, reason: String) -> Bool {
        guard case .deposit(let intake, let courierID, let shared) = model.pending[id] else { return false }
        let operation = PendingOperation.cancelledDeposit(intake, courierID: courierID, isShared: shared)
        let committed: Bool? = commit("deposit cancellation") { tx in
            try tx.setPending(operation, compartmentID: id)
            try tx.append(CustodyEvent(.depositCancelled, compartmentID: id, payload: [
                "label": .string(try tx.compartment(id).label), "tracking_number": .string(intake.trackingNumber),
                "reason": .string(reason),
            ]))
            return true
        }
        guard committed != nil else { return false }
        model.setPending(operation, compartmentID: id)
        return true
    }

    /// Ends a deposit reservation without a parcel, at once (the door never opened, or it is
    /// closed). Returns false if the store refused.
    @discardableResult
    private func releaseDeposit(_ id: Int, reason: String, quarantine: String? = nil, latchFailed: Bool = false) -> Bool {
        let intake: ParcelIntake
        let alreadyCancelled: Bool
        switch model.pending[id] {
        case .deposit(let pending, _, _)?: (intake, alreadyCancelled) = (pending, false)
        case .cancelledDeposit(let pending, _, _)?: (intake, alreadyCancelled) = (pending, true)
        default: return false
        }
        guard let updated = commit("deposit release", { tx in
            var c = try tx.compartment(id)
            if let quarantine {
                c.state = .quarantined
                c.quarantineReason = quarantine
            } else if c.state == .reserved {
                c.state = .available
            }
            try tx.update(c)
            try tx.setPending(nil, compartmentID: id)
            if !alreadyCancelled {
                try tx.append(CustodyEvent(.depositCancelled, compartmentID: id, payload: [
                    "label": .string(c.label), "tracking_number": .string(intake.trackingNumber), "reason": .string(reason),
                ]))
            }
            if latchFailed {
                try tx.append(CustodyEvent(.latchFailed, compartmentID: id, payload: ["label": .string(c.label), "reason": .string(reason)]))
            }
            if let quarantine {
                try tx.append(CustodyEvent(.compartmentQuarantined, compartmentID: id, payload: [
                    "label": .string(c.label), "reason": .string(quarantine),
                ]))
            }
            return c
        }) else { return false }
        model.replace(updated)
        model.setPending(nil, compartmentID: id)
        return true
    }

    private func completeDeposit(_ id: Int, intake: ParcelIntake, courierID: String, shared: Bool, recovered: Bool) async {
        let now = clock.now()
        let deadline = intake.retentionHours.map { now.addingTimeInterval($0 * 3_600) }
            ?? retention.deadline(for: intake.temperatureClass, depositedAt: now)
        var code: String?
        var codeHash: String?
        let sharesExistingCode = shared && model.codeHash(ofCompartment: id) != nil
        if !sharesExistingCode, let issued = intake.serverCodeHash, !model.isCodeHashLive(issued), recentPickups[issued] == nil {
            // The server issued the code and told the resident; the cabinet knows only its hash.
            codeHash = issued
        } else if !sharesExistingCode {
            // Not a live code, nor one still inside its grace window (it would reopen a door).
            code = codePolicy.drawUnique(using: &generator) {
                let hash = hasher.hash(code: $0)
                return model.isCodeHashLive(hash) || recentPickups[hash] != nil
            }
            codeHash = code.map { hasher.hash(code: $0) }
            guard codeHash != nil else {
                logger.critical("no free pickup code could be drawn", metadata: ["compartment.id": "\(id)"])
                return
            }
        }
        let kind: CustodyEvent.Kind = recovered ? .depositRecovered : .depositCommitted
        let newHash = codeHash
        // The code, sealed for the central server (which tells the resident), rides in the event.
        var sealedCode: String?
        if let code, let codeSealer {
            do {
                sealedCode = try codeSealer.seal(code: code, trackingNumber: intake.trackingNumber)
            } catch {
                logger.error("the pickup code could not be sealed for the server; the resident will not learn it from there",
                             metadata: ["compartment.id": "\(id)", "error": "\(error)"])
            }
        }
        let sealed = sealedCode
        guard let (updated, parcels) = commit("deposit", { tx -> (Compartment, [Parcel]) in
            let parcel = try tx.insertParcel(
                trackingNumber: intake.trackingNumber, recipientReference: intake.recipientReference, size: intake.size,
                temperatureClass: intake.temperatureClass, compartmentID: id, courierID: courierID,
                retentionDeadline: deadline)
            var c = try tx.compartment(id)
            if c.state == .reserved || c.state == .available { c.state = .occupied }
            try tx.update(c)
            try tx.setPending(nil, compartmentID: id)
            if let newHash { try tx.setCodeHash(newHash, compartmentID: id) }
            try tx.append(CustodyEvent(kind, compartmentID: id, parcelID: parcel.id, payload: [
                "label": .string(c.label), "tracking_number": .string(intake.trackingNumber),
                "recipient_reference": .string(intake.recipientReference), "courier_id": .string(courierID),
                "size": .string(intake.size.description), "temperature_class": .string(intake.temperatureClass.description),
                "retention_deadline": .double(deadline.timeIntervalSince1970), "shared": .bool(shared),
            ].merging(sealed.map { ["sealed_code": EventValue.string($0)] } ?? [:]) { first, _ in first }))
            try tx.removePreAdvice(trackingNumber: intake.trackingNumber)
            return (c, try tx.liveParcels(compartmentID: id))
        }) else {
            _ = releaseDeposit(id, reason: "the store refused the deposit", quarantine: "deposit could not be recorded: check the contents")
            await perform(panel.depositFinished(.failure("The deposit could not be recorded. Please take the parcel back and see staff."), now: now))
            return
        }
        model.setLiveParcels(parcels, compartmentID: id)
        if let newHash { model.setCodeHash(newHash, compartmentID: id) }
        model.replace(updated)
        model.setPending(nil, compartmentID: id)
        preAdvice[intake.trackingNumber] = nil
        let message: PanelMessage
        if recovered {
            // Nobody is known to be at the panel: a code on the public display would hand the
            // parcel to whoever reads it. The resident learns it through the central server.
            message = .depositRecorded(label: updated.label)
        } else if let code {
            message = .depositCommitted(label: updated.label, code: code)
        } else if newHash != nil {
            // A code the server issued: the resident has it already; the courier needs none.
            message = .depositRecorded(label: updated.label)
        } else {
            message = .depositAddedToShared(label: updated.label)
        }
        await perform(panel.depositFinished(message, now: now))
    }

    // MARK: - Retrieval of overdue parcels

    private func startRetrieval(courierID: String) async {
        guard let id = model.compartments.first(where: {
            $0.state == .overdue && model.pending[$0.id] == nil && !model.offline.contains($0.id)
        })?.id else {
            await show(.noOverdueParcels)
            return
        }
        let parcelIDs = (model.liveParcels[id] ?? []).map(\.id)
        let operation = PendingOperation.retrieval(parcelIDs: parcelIDs, courierID: courierID)
        guard let updated = commit("retrieval door opening", { tx in
            var c = try tx.compartment(id)
            c.latchCycles += 1
            try tx.update(c)
            try tx.setPending(operation, compartmentID: id)
            try tx.append(CustodyEvent(.retrievalDoorOpened, compartmentID: id, payload: [
                "label": .string(c.label), "courier_id": .string(courierID), "parcel_ids": .ints(parcelIDs),
            ]))
            return c
        }) else { return }
        model.replace(updated)
        model.setPending(operation, compartmentID: id)
        if await pulse(id) {
            await show(.retrievalDoorOpen(label: updated.label, parcels: parcelIDs.count))
        } else {
            _ = clearPending(id, event: CustodyEvent(.retrievalNotTaken, compartmentID: id, payload: [
                "label": .string(updated.label), "reason": "board not answering",
            ]))
            await show(.doorUnavailable(label: updated.label))
        }
    }

    private func completeRetrieval(_ id: Int, parcelIDs: [Int64], courierID: String) async {
        guard let (updated, remaining) = commit("retrieval", { tx -> (Compartment, [Parcel]) in
            try tx.setStatus(.retrieved, parcelIDs: parcelIDs)
            var c = try tx.compartment(id)
            let remaining = try tx.liveParcels(compartmentID: id)
            if remaining.isEmpty {
                try tx.setCodeHash(nil, compartmentID: id)
                if c.state == .overdue || c.state == .occupied { c.state = .available }
            }
            try tx.update(c)
            try tx.setPending(nil, compartmentID: id)
            try tx.append(CustodyEvent(.retrievalCommitted, compartmentID: id, payload: [
                "label": .string(c.label), "courier_id": .string(courierID), "parcel_ids": .ints(parcelIDs),
            ]))
            return (c, remaining)
        }) else { return }
        model.setLiveParcels(remaining, compartmentID: id)
        if remaining.isEmpty { model.setCodeHash(nil, compartmentID: id) }
        model.replace(updated)
        model.setPending(nil, compartmentID: id)
        await show(.retrievalDone(label: updated.label))
    }

    private func flagOverdueParcels(now: Date) {
        let due = retention.newlyOverdue(model.allLiveParcels, now: now)
        for (id, parcels) in Dictionary(grouping: due, by: \.compartmentID).sorted(by: { $0.key < $1.key }) {
            let ids = parcels.map(\.id)
            guard let (updated, live) = commit("overdue flag", { tx -> (Compartment, [Parcel]) in
                try tx.setStatus(.overdue, parcelIDs: ids)
                var c = try tx.compartment(id)
                if c.state == .occupied { c.state = .overdue }
                try tx.update(c)
                for parcel in parcels {
                    try tx.append(CustodyEvent(.parcelOverdue, compartmentID: id, parcelID: parcel.id, payload: [
                        "label": .string(c.label), "tracking_number": .string(parcel.trackingNumber),
                        "retention_deadline": .double(parcel.retentionDeadline.timeIntervalSince1970),
                    ]))
                }
                return (c, try tx.liveParcels(compartmentID: id))
            }) else { continue }
            model.setLiveParcels(live, compartmentID: id)
            model.replace(updated)
        }
    }

    // MARK: - Doors

    private func doorChanged(_ id: Int, isOpen: Bool) async {
        if model.compartments[id].isDoorOpen != isOpen {
            // The recorded door state follows the sensor (no outbox event: alarms have their own).
            if let updated = commit("door state", { tx in
                var c = try tx.compartment(id)
                c.isDoorOpen = isOpen
                try tx.update(c)
                return c
            }) { model.replace(updated) }
        }
        for action in doors[id].sensorChanged(isOpen: isOpen, now: clock.now()) {
            await doorAction(action, compartmentID: id)
        }
    }

    private func doorAction(_ action: DoorWatchStateMachine.Action, compartmentID id: Int) async {
        let address = map.address(of: id)
        switch action {
        case .openedAsCommanded:
            resolveDoorWaiter(id, failure: nil)
        case .forcedOpen:
            logger.warning("door opened without a command", metadata: ["compartment.label": "\(label(id))"])
            commit("forced-open alarm") { tx in
                try tx.append(CustodyEvent(.doorForcedOpen, compartmentID: id, payload: ["label": .string(tx.compartment(id).label)]))
            }
            await buzzer.play(.alarm)
        case .latchDidNotOpen:
            resolveDoorWaiter(id, failure: "the door did not open within \(Int(configuration.doorOpenConfirmationSeconds)) s "
                + "after the pulse (latch, wiring or sensor); quarantined")
            await latchDidNotOpen(id)
        case .remindToClose:
            await show(.pleaseCloseDoor(label: label(id)))
            await buzzer.play(.reminder)
        case .leftOpenAlarm(let seconds):
            logger.warning("door left open", metadata: ["compartment.label": "\(label(id))", "door.open_seconds": "\(seconds)"])
            commit("left-open alarm") { tx in
                try tx.append(CustodyEvent(.doorLeftOpen, compartmentID: id, payload: [
                    "label": .string(tx.compartment(id).label), "open_seconds": .int(Int64(seconds)),
                ]))
            }
            await buzzer.play(.alarm)
        case .closed(let afterAlarm):
            if afterAlarm {
                commit("alarm end") { tx in
                    try tx.append(CustodyEvent(.doorClosedAfterAlarm, compartmentID: id, payload: ["label": .string(tx.compartment(id).label)]))
                }
            }
            await lights.set(board: address.board, channel: address.channel, to: .off)
            await doorClosed(id)
        }
    }

    /// A door closed: settle whatever it was opened for.
    private func doorClosed(_ id: Int) async {
        guard let operation = model.pending[id] else { return }
        let interrupted: Bool
        switch operation {
        case .deposit: interrupted = !panel.isDepositOpen(compartmentID: id)
        case .cancelledDeposit, .pickup, .retrieval: interrupted = false
        }
        await settle(id, operation, interrupted: interrupted)
    }

    /// Carries out `PendingOperationSettlement` for a closed door.
    private func settle(_ id: Int, _ operation: PendingOperation, interrupted: Bool) async {
        let settlement = PendingOperationSettlement.settle(operation, itemPresent: itemPresent[id], interrupted: interrupted)
        switch (settlement, operation) {
        case (.commitDeposit(let recovered), .deposit(let intake, let courierID, let shared)):
            await completeDeposit(id, intake: intake, courierID: courierID, shared: shared, recovered: recovered)
        case (.releaseReservation(let reason), _):
            let wasOpenForCourier = panel.isDepositOpen(compartmentID: id)
            if releaseDeposit(id, reason: reason), wasOpenForCourier {
                await perform(panel.depositFinished(.depositClosedEmpty(label: label(id)), now: clock.now()))
            }
        case (.quarantineForInspection(let reason), _):
            let wasOpenForCourier = panel.isDepositOpen(compartmentID: id)
            if releaseDeposit(id, reason: reason, quarantine: reason), wasOpenForCourier {
                await perform(panel.depositFinished(.failure("Door \(label(id)) is out of service: \(reason)."), now: clock.now()))
            }
        case (.commitPickup, .pickup(let parcelIDs, let codeHash)):
            await completePickup(id, parcelIDs: parcelIDs, codeHash: codeHash)
        case (.keepParcels(let reason), _):
            _ = clearPending(id, event: CustodyEvent(.pickupNotTaken, compartmentID: id, payload: [
                "label": .string(label(id)), "reason": .string(reason),
            ]))
            if !interrupted { await show(.parcelStillInside(label: label(id))) }
        case (.commitRetrieval, .retrieval(let parcelIDs, let courierID)):
            await completeRetrieval(id, parcelIDs: parcelIDs, courierID: courierID)
        case (.keepOverdueParcels(let reason), _):
            _ = clearPending(id, event: CustodyEvent(.retrievalNotTaken, compartmentID: id, payload: [
                "label": .string(label(id)), "reason": .string(reason),
            ]))
            if !interrupted { await show(.failure("The overdue parcels are still in \(label(id)); retrieval not recorded.")) }
        default:
            logger.critical("settlement does not fit its operation", metadata: ["compartment.id": "\(id)"])
        }
    }

    private func latchDidNotOpen(_ id: Int) async {
        switch model.pending[id] {
        case .deposit:
            await depositLatchFailed(id, reportedByCourier: false)
        case .cancelledDeposit, .pickup, .retrieval, nil:
            let wasPending = model.pending[id] != nil
            guard let updated = commit("latch failure", { tx in
                var c = try tx.compartment(id)
                c.state = .quarantined
                c.quarantineReason = "latch did not open: door sensor did not see the door open"
                try tx.update(c)
                try tx.setPending(nil, compartmentID: id)
                try tx.append(CustodyEvent(.latchFailed, compartmentID: id, payload: ["label": .string(c.label)]))
                try tx.append(CustodyEvent(.compartmentQuarantined, compartmentID: id, payload: [
                    "label": .string(c.label), "reason": .string(c.quarantineReason ?? ""),
                ]))
                return c
            }) else { return }
            model.replace(updated)
            model.setPending(nil, compartmentID: id)
            await buzzer.play(.error)
            if wasPending { await show(.doorUnavailable(label: updated.label)) }
        }
    }

    /// Clears a pending pickup/retrieval that did not complete; its parcels stay in custody.
    func clearPending(_ id: Int, event: CustodyEvent) -> Bool {
        let committed: Bool? = commit("pending clear") { tx in
            try tx.setPending(nil, compartmentID: id)
            try tx.append(event)
            return true
        }
        guard committed != nil else { return false }
        model.setPending(nil, compartmentID: id)
        return true
    }

    /// Pulses a latch. Returns false (and takes the board offline) if the board did not accept it.
    func pulse(_ id: Int) async -> Bool {
        let address = map.address(of: id)
        guard let board = boards[address.board], !offlineBoards.contains(address.board) else { return false }
        // Told before the pulse: the door may report open before `unlock` even returns.
        _ = doors[id].unlockCommanded(now: clock.now())
        do {
            try await board.unlock(channel: address.channel, pulseMilliseconds: configuration.latchPulseMilliseconds)
        } catch {
            doors[id] = DoorWatchStateMachine(isOpen: model.compartments[id].isDoorOpen, now: clock.now())
            await boardLost(address.board, detail: "\(error)")
            resolveDoorWaiter(id, failure: "the board did not accept the unlock: \(error)")
            return false
        }
        onUnlock?(ContinuousClock.now - inputArrived)
        await lights.set(board: address.board, channel: address.channel, to: .blink)
        return true
    }

    // MARK: - Configuration

    /// Puts a changed configuration into force (policy fields only; see `remotelyChangeable`).
    func applyConfiguration(_ changed: CabinetConfiguration) {
        configuration = changed
        attemptPolicy = CodeAttemptGuard.Policy(
            freeAttempts: changed.wrongCodesBeforeLockout, baseLockoutSeconds: changed.firstLockoutSeconds,
            maximumLockoutSeconds: changed.maximumLockoutSeconds)
        doorPolicy = DoorWatchStateMachine.Policy(
            openConfirmationSeconds: changed.doorOpenConfirmationSeconds,
            reminderSeconds: changed.doorReminderSeconds, alarmSeconds: changed.doorAlarmSeconds)
        retention = changed.retentionPolicy
    }

    // MARK: - Storage

    /// Compares the store's size and its disk's free space with the configured limits; records
    /// the change when the verdict flips (so the server and the technician learn of it).
    func checkStorage() {
        let (used, free) = storageProbe()
        let budget = Int64(configuration.storeBudgetMegabytes * 1_048_576)
        let reserve = Int64(configuration.minimumFreeDiskMegabytes * 1_048_576)
        let full = used >= budget || (free.map { $0 < reserve } ?? false)
        guard full != storageFull else { return }
        storageFull = full
        let payload: [String: EventValue] = [
            "database_bytes": .int(used), "budget_bytes": .int(budget),
            "free_bytes": .int(free ?? -1), "reserve_bytes": .int(reserve),
        ]
        if full {
            logger.critical("store is full: deposits stop until storeBudgetMegabytes is raised or disk space is freed; pickups go on",
                            metadata: ["store.bytes": "\(used)", "store.budget": "\(budget)", "disk.free": "\(free ?? -1)"])
        } else {
            logger.notice("store has room again: deposits resume", metadata: ["store.bytes": "\(used)"])
        }
        // The alarm is recorded even when full: the budget keeps room for exactly such events.
        commit("storage alarm") { tx in try tx.append(CustodyEvent(full ? .storageFull : .storageRecovered, payload: payload)) }
    }

    // MARK: - Boards

    private func boardLost(_ board: Int, detail: String) async {
        guard offlineBoards.insert(board).inserted else { return }
        for id in map.compartments(onBoard: board) { resolveDoorWaiter(id, failure: "board \(board) went offline: \(detail)") }
        logger.error("lock board offline", metadata: ["board.address": "\(board)", "error": "\(detail)"])
        model.setOnline(false, compartmentIDs: map.compartments(onBoard: board))
        commit("board offline") { tx in
            try tx.append(CustodyEvent(.boardOffline, payload: ["board": .int(Int64(board)), "detail": .string(detail)]))
        }
    }

    private func boardBack(_ board: Int) async {
        guard offlineBoards.contains(board), let link = boards[board] else { return }
        guard let status = try? await link.readStatus() else { return }
        offlineBoards.remove(board)
        logger.notice("lock board back online", metadata: ["board.address": "\(board)"])
        commit("board online") { tx in
            try tx.append(CustodyEvent(.boardOnline, payload: ["board": .int(Int64(board))]))
        }
        // Its doors are re-read and reconciled before any of them is used again.
        await reconcile(board: board, status: status)
        model.setOnline(true, compartmentIDs: map.compartments(onBoard: board))
    }

    /// Makes the store agree with the sensors of one board and resolves operations that were
    /// interrupted (by a power failure or a board outage) while the door is closed.
    private func reconcile(board: Int, status: LockBoardStatus) async {
        let now = clock.now()
        let channels = map.compartments(onBoard: board).map { map.address(of: $0).channel }
        if let missing = channels.first(where: { !status.doorOpen.indices.contains($0 - 1) }) {
            // A board that reports fewer doors than configured cannot be trusted with any of them.
            await boardLost(board, detail: "reports \(status.doorOpen.count) doors, but channel \(missing) is configured")
            return
        }
        for id in map.compartments(onBoard: board) {
            let channel = map.address(of: id).channel
            let sensorOpen = status.doorOpen[channel - 1]
            itemPresent[id] = status.itemPresent.flatMap { $0.indices.contains(channel - 1) ? $0[channel - 1] : nil }
            let recorded = model.compartments[id].isDoorOpen
            if recorded != sensorOpen {
                if let updated = commit("door reconciliation", { tx in
                    var c = try tx.compartment(id)
                    c.isDoorOpen = sensorOpen
                    try tx.update(c)
                    try tx.append(CustodyEvent(.doorReconciled, compartmentID: id, payload: [
                        "label": .string(c.label), "recorded_open": .bool(recorded), "sensor_open": .bool(sensorOpen),
                    ]))
                    return c
                }) { model.replace(updated) }
            }
            doors[id] = DoorWatchStateMachine(isOpen: sensorOpen, now: now)
            // A door found closed with an operation in flight is settled now; one found open is
            // settled when it closes.
            if !sensorOpen, let pending = model.pending[id] {
                await settle(id, pending, interrupted: true)
            }
        }
    }

    // MARK: - Scans

    private func scanned(_ text: String, scanner: String) async {
        // Scanners emit garbage when a code is half-read or a cable is noisy: refuse it with a reason.
        guard !text.isEmpty, text.count <= 512, text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
            logger.notice("scan refused: empty, over-long or not printable ASCII",
                          metadata: ["scanner": "\(scanner)", "scan.length": "\(text.count)"])
            await buzzer.play(.error)
            await show(.failure("The scan could not be read. Please scan again."))
            return
        }
        await perform(panel.scanned(text, now: clock.now()))
    }

    // MARK: - Helpers

    /// The configuration's couriers first, then the list the central server sent (PIN hashes).
    private func authenticate(id: String, pin: String) -> Courier? {
        if let entry = configuration.couriers.first(where: { $0.id == id }) {
            return Self.sameBytes(entry.pin, pin) ? Courier(id: entry.id, name: entry.name, carrier: entry.carrier) : nil
        }
        guard let entry = (try? store.serverCouriers())?.first(where: { $0.id == id }) else { return nil }
        let hash = UplinkAcknowledgement.Command.CourierCredential.pinHash(cabinetID: configuration.cabinetID, courierID: id, pin: pin)
        return Self.sameBytes(entry.pinHash, hash) ? Courier(id: entry.id, name: entry.name, carrier: entry.carrier) : nil
    }

    /// Constant-time comparison: the keypad must not leak how many PIN digits were right.
    static func sameBytes(_ first: String, _ second: String) -> Bool {
        let a = Array(first.utf8), b = Array(second.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }

    func label(_ id: Int) -> String { model.compartments[id].label }

    func show(_ message: PanelMessage) async {
        await display.show(message.text)
    }

    @discardableResult
    func commit<T: Sendable>(_ what: String, _ body: @Sendable (CustodyTransaction) throws -> T) -> T? {
        let stamp = EventStamp(wallClock: clock.now(), monotonicNanoseconds: clock.monotonicNanoseconds())
        do {
            return try store.transaction(at: stamp, body)
        } catch {
            if CabinetStore.isFailedSync(error) {
                // See `CabinetStore.isFailedSync`: systemd restarts the daemon (Restart=on-failure),
                // which reconciles every door from what the disk really holds.
                logger.critical("the disk failed to sync a commit: stopping at once to restart from what is on disk",
                                metadata: ["write": "\(what)", "error": "\(error)"])
                _exit(74)  // EX_IOERR
            }
            logger.error("store refused a write; nothing was changed", metadata: ["write": "\(what)", "error": "\(error)"])
            return nil
        }
    }

    /// Hands newly committed events to the observer (after the fact: never on the unlock path).
    public func publishNewEvents() {
        guard let onEvent else { return }
        let before = lastPublishedSequence
        while let batch = try? store.events(after: lastPublishedSequence, limit: 500), !batch.isEmpty {
            for event in batch { onEvent(event) }
            lastPublishedSequence = batch.last?.sequence ?? lastPublishedSequence
        }
        if lastPublishedSequence != before { afterEvents?() }
    }

    static func panelKey(_ key: HardwareKey) -> KeypadKey {
        switch key {
        case .digit(let d): return .digit(d)
        case .clear: return .clear
        case .back: return .back
        case .enter: return .enter
        case .menu: return .menu
        }
    }
}


