public import Foundation
public import LockerColdChain
public import Logging
public import LockerCore
public import LockerHAL
public import LockerStore
import LockerUplink

/// The cabinet's loop context: hardware events, panel actions, ticks and technicians' requests go
/// through here, one at a time (the `CabinetInbox` loop owns it; it is deliberately not an actor,
/// so no two inputs can interleave at an `await`).
///
/// It decides nothing about custody itself: each input is handed to the room of its flow (one
/// extension file each: `+Deposit`, `+Pickup`, `+Retrieval`, `+Doors`, `+Housekeeping`,
/// `+Maintenance`, `+Downlink`, `+Credentials`, `+ColdChain`), which asks `CustodyStateMachine`
/// (Core, pure) for a `CustodyChange` and hands it to `carryOut`: commit it in one store
/// transaction, *then* apply it to the in-memory model, *then* pulse the latch, *then* tell the
/// person. A failed commit changes nothing and is reported; it never opens a door. This file may
/// touch the store, the boards, the display and the buzzer; the rooms only through it.
public final class CabinetController {
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
    /// Every custody decision (Core, pure); its policies follow the configuration in force.
    var custody: CustodyStateMachine
    var doorPolicy: DoorWatchStateMachine.Policy

    public internal(set) var model: CabinetModel
    public internal(set) var panel: PanelStateMachine
    /// Pages a long message on a character LCD (nil layout: every other display shows it whole).
    var pager: DisplayPager
    public internal(set) var doors: [DoorWatchStateMachine]
    /// Per compartment: what the item sensor last said, nil where there is none.
    public internal(set) var itemPresent: [Bool?]
    public var attemptGuard: CodeAttemptGuard { model.attemptGuard }
    public internal(set) var offlineBoards: Set<Int> = []
    private var lastPublishedSequence: Int64
    /// Whether the record may hold events `onEvent` was not given yet. Only `commit` appends
    /// events while the cabinet runs (every event is a custody transaction of this controller's),
    /// so after the feed caught up, an input that committed nothing (most keys) does not read the
    /// record: each read was a read transaction with its locks and three statements parsed, on
    /// the cabinet loop's thread, at every key.
    private var recordMayHaveUnpublishedEvents = true
    /// How many times the feed read the record (tests: inputs that commit nothing read nothing).
    public private(set) var eventFeedReads = 0
    var lastOverdueCheck: Date?
    var lastBoardPoll: Date?
    var lastStorageCheck: Date?
    var lastBacklogCheck: Date?
    var lastCompactionDue: Date?
    /// When the last `uplink.session_taken_over` alarm was recorded (memory only).
    var lastSessionTakeoverAlarm: Date?
    /// When the WAL was last checkpointed, and the commits since (see `checkpointIfDue`).
    var lastCheckpoint: Date?
    var commitsSinceCheckpoint = 0
    /// When the daily summary was last made due, and when it is due next.
    var dailySummaryDue: (last: Date, next: Date)?
    /// Doors pulsed for no custody operation (a remote open, a technician's open) and why, until
    /// they close: their opening and closing are recorded (`door.opened`, `door.closed`).
    var openedOnCommand: [Int: String] = [:]
    /// What the last backlog check recorded: an `uplink.backlog_old` alarm stands. In memory: after
    /// a restart a backlog still too old is reported once more.
    var uplinkBacklogOld = false
    var lastTimeHighWater: Date?
    /// When each silent board's doors were last watched (its outage started): the interval its
    /// reconciliation alarms carry.
    var unwatchedSince: [Int: Date] = [:]
    /// The latest time recorded before this start (nil on a new store): a door changed while
    /// lockerd was down changed after it.
    var lastRecordedBeforeStart: Date?
    /// Closed doors whose settlement the store refused (a full disk, an I/O error): settled again
    /// on each tick until it commits, so a pickup is not left pending until the next restart.
    var unsettledDoors: Set<Int> = []
    /// Draws pickup codes (the kernel's CSPRNG).
    var generator = SystemRandomNumberGenerator()

    /// Called with every committed event, in sequence order, after it is durable.
    public var onEvent: (@Sendable (RecordedEvent) -> Void)?
    /// Called once after `onEvent` was given a batch of new events (wakes the event followers).
    public var afterEvents: (@Sendable () -> Void)?
    /// Called hourly (by the cabinet's clock) and when the store is full, with the retention in
    /// force: a compaction pass is due (`RecordCompactor.due`).
    public var onCompactionDue: (@Sendable (_ retentionDays: Double) -> Void)?
    /// Called at the first housekeeping, when the local day (configuration `timeZone`) changes,
    /// and hourly, by the cabinet's clock: a daily summary pass is due (`DailySummarizer.due`).
    public var onDailySummaryDue: (@Sendable () -> Void)?
    /// Called with what the kiosk page shows, after every input and tick and every message shown
    /// (often unchanged: the kiosk feed sends only changes).
    public var onScreen: (@Sendable (KioskScreen) -> Void)?
    /// The last message the display was given (the kiosk page shows it with the panel's step).
    var lastShown: PanelMessage = .welcome
    /// Called when the next key may, or may no longer, complete a pickup code (the panel holds a
    /// code one digit short): the daemon's `LastDigitAnticipation` has the cabinet loop busy-poll
    /// its keypads and rehearse the pickup meanwhile, so that digit is read the moment it comes
    /// and finds its path warm.
    public var onLastDigitAwaited: (@Sendable (_ awaited: Bool) -> Void)?
    /// While the last digit is awaited (and only then): the code typed so far, and the keyed hashes of the ten
    /// codes a last digit can make of it (by digit), made as the panel came to hold that code.
    /// The last key then looks its code's hash up instead of computing it: about 20 µs of the way
    /// from the last key to the door on this 2-core VM, spent while the person finds the key.
    var lastDigitHashes: (typed: String, hashes: [String])?
    /// How many times the pickup was rehearsed (`rehearseLastDigit`; tests).
    public internal(set) var lastDigitRehearsals = 0
    /// Called on every wrong pickup code (metrics).
    public var onWrongCode: (@Sendable () -> Void)?
    /// Called after each latch command with the time since the input that caused it arrived
    /// (for a pickup: from the last key of the code to the board accepting the unlock).
    public var onUnlock: (@Sendable (Duration) -> Void)?
    /// The buses' poll holds (`PollDeferral`): each key holds the status polls off for
    /// `keypadPollHold`, and a latch pulsed lets them go again at once (so the door's opening is
    /// seen by the next poll). Empty: polls never wait (tests, a cabinet without serial boards).
    public var pollDeferrals: [PollDeferral] = []
    static let keypadPollHold: Duration = .seconds(2)
    /// Latch commands the boards accepted (see `handle(.key)`).
    var latchesPulsed = 0
    /// The cold-chain record of a compartment from a deposit time to now (nil for compartments no
    /// zone watches): read before a pickup commits, so its event carries the summary.
    public var coldChainSummary: (@Sendable (_ compartmentID: Int, _ from: Date, _ to: Date) -> ColdChainSummary?)?
    /// When the input being handled was posted (measurement only, never a decision).
    var inputArrived = ContinuousClock.now
    /// How much room the store has (injected in tests: a full disk is hard to arrange).
    var storageProbe: @Sendable () -> (databaseBytes: Int64, volumeFreeBytes: Int64?)
    /// Seals drawn pickup codes for the central server (nil: none configured).
    let codeSealer: PickupCodeSealer?
    /// Deposits are refused while the store is over its budget, its disk nearly full, or the disk
    /// reserve released.
    public internal(set) var storageFull = false
    /// Space held back for pickups, retrievals and alarms on a full disk (nil: none kept, as in
    /// unit tests); released by `commit` when the disk is full, made again by `checkStorage`.
    public var diskReserve: DiskReserve?
    /// Maintenance self-tests waiting for a door to open after its pulse, called once with nil
    /// when the sensor saw it open, or with why it did not (latch, board, shutdown).
    var doorOpenWaiters: [Int: (String?) -> Void] = [:]
    /// A courier's batch retrieval under way (memory only: see `RetrievalBatch`).
    public internal(set) var retrievalBatch: RetrievalBatch?

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
        self.custody = CustodyStateMachine(
            retention: configuration.retentionPolicy, attemptPolicy: configuration.attemptPolicy,
            pickupGraceSeconds: configuration.pickupGraceSeconds, codePolicy: codePolicy, hasher: hasher)
        self.doorPolicy = Self.doorPolicy(configuration)
        self.storageProbe = { (try? store.storageUse()) ?? (0, nil) }
        self.codeSealer = PickupCodeSealer(base64Key: configuration.uplink?.codeSealingKey, cabinetID: configuration.cabinetID)

        try store.installLayout(configuration.layout())
        let snapshot = try store.snapshot()
        let compartments = Array(snapshot.compartments.prefix(configuration.compartments.count))
        self.model = CabinetModel(
            compartments: compartments, liveParcels: snapshot.liveParcels, codeHashes: snapshot.codeHashes,
            pending: snapshot.pending, attemptGuard: snapshot.attemptGuard,
            courierGuards: snapshot.courierGuards, nextParcelID: snapshot.nextParcelID,
            preAdvice: try store.preAdvice())
        self.panel = PanelStateMachine(codePolicy: codePolicy, defaultLanguage: configuration.panelLanguage)
        self.pager = DisplayPager(layout: configuration.characterScreenLayout)
        let now = clock.now()
        self.doors = compartments.map { DoorWatchStateMachine(isOpen: $0.isDoorOpen, now: now) }
        self.itemPresent = Array(repeating: nil, count: compartments.count)
        self.lastPublishedSequence = try store.lastEventSequence()
    }

    // MARK: - Start

    /// Records the start, reads every door sensor and reconciles it with the store, so that a door
    /// that was mid-transition when power failed ends in a defined, recorded state.
    public func start() async {
        // The store checkpointed when it opened: the next one is due after 200 commits or 30 s.
        lastCheckpoint = clock.now()
        let highWater = (try? store.timeHighWater()) ?? .distantPast
        lastRecordedBeforeStart = highWater > Date(timeIntervalSince1970: 0) ? highWater : nil
        await carryOut(custody.daemonStarted(in: model), "start record")
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
        lastRecordedBeforeStart = nil
        await show(.welcome)
        publishNewEvents()
    }

    // MARK: - Inputs

    public func handle(_ event: HardwareEvent) async {
        switch event {
        case .key(let key):
            let pulsedBefore = latchesPulsed
            await perform(panel.keyPressed(Self.panelKey(key), now: clock.now()))
            // After the key, not before: the key that completes a code must find the bus free
            // (see PollDeferral), and its unlock frame is already out when this runs.
            for deferral in pollDeferrals {
                if latchesPulsed != pulsedBefore { deferral.release() } else { deferral.hold(for: Self.keypadPollHold) }
            }
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
        case .latchFault(let board, let channel, let detail):
            guard let id = map.compartment(board: board, channel: channel) else { return }
            await latchFaulted(id, detail: detail)
        }
        publishNewEvents()
        publishScreen()
        checkpointIfDue(now: clock.now())
        noteWhetherLastDigitAwaited()
    }

    /// Time passes: timeouts, door reminders and alarms, overdue parcels, offline boards.
    public func tick() async {
        let now = clock.now()
        await perform(panel.tick(now: now))
        if let page = pager.tick(now: now) { await display.show(page) }
        for id in doors.indices where doors[id].phase != .closed {
            for action in doors[id].tick(now: now, policy: doorPolicy) { await doorAction(action, compartmentID: id) }
        }
        await housekeeping(now: now)
        publishNewEvents()
        publishScreen()
        // The panel forgets a half-typed code after its silence.
        noteWhetherLastDigitAwaited()
    }

    /// Tells `onLastDigitAwaited` when the panel comes to hold a pickup code one digit short, and
    /// when it no longer does (the code completed, corrected, cleared or forgotten); makes and
    /// forgets `lastDigitHashes` with it.
    private func noteWhetherLastDigitAwaited() {
        var awaitedAfter: String?
        if case .idle(let typed) = panel.state, typed.count == codePolicy.length - 1 { awaitedAfter = typed }
        guard lastDigitHashes?.typed != awaitedAfter else { return }
        let wasAwaited = lastDigitHashes != nil
        lastDigitHashes = awaitedAfter.map { typed in (typed, (0...9).map { hasher.hash(code: typed + String($0)) }) }
        if (awaitedAfter != nil) != wasAwaited { onLastDigitAwaited?(awaitedAfter != nil) }
    }

    /// Nothing under way that a deadline under a second could concern: no code or courier
    /// session being typed, no door open or operation pending, no batch retrieval, no door
    /// waiting to be settled again (the ticker then slows down: `nextTickAfter`).
    public var isAtRest: Bool {
        panel.state == .idle(typed: "") && model.pending.isEmpty && retrievalBatch == nil && unsettledDoors.isEmpty
            && doors.allSatisfy { $0.phase == .closed }
    }

    /// How long the ticker may wait before the next tick: a quarter second while something is
    /// under way; at rest, a second while the display turns the pages of a long message, and
    /// otherwise five. What is left to time then (a language reset after the panel's silence,
    /// overdue parcels, housekeeping, the WAL checkpoint) is due tens of seconds away at the
    /// least, and each tick of an idle cabinet wakes three threads for nothing.
    public var nextTickAfter: Duration {
        guard isAtRest else { return .milliseconds(250) }
        return pager.isTurningPages ? .seconds(1) : .seconds(5)
    }

    // MARK: - Panel actions

    func perform(_ actions: [PanelAction]) async {
        for action in actions { await perform(action) }
    }

    /// Hands each front-panel action to its room.
    func perform(_ action: PanelAction) async {
        switch action {
        case .show(let message): await show(message)
        case .attemptPickup(let code): await attemptPickup(code: code)
        case .authenticateCourier(let id, let pin): await authenticateCourier(id: id, pin: pin)
        case .identifyParcel(let trackingNumber, _): await identifyParcel(trackingNumber)
        case .depositParcel(var intake, let courier):
            // The carrier as it is now goes with the parcel (pre-advice may already name it).
            if intake.carrier?.isEmpty ?? true, !courier.carrier.isEmpty { intake.carrier = courier.carrier }
            await startDeposit(intake, courierID: courier.id)
        case .requestLargerDoor(let id): await largerDoor(than: id)
        case .reportDoorDidNotOpen(let id): await depositLatchFailed(id, reportedByCourier: true)
        case .cancelDeposit(let id): await cancelDeposit(id)
        case .retrieveOverdue(let courier): await startRetrieval(courierID: courier.id)
        case .retrieveAllOverdue(let courier): await startBatchRetrieval(courierID: courier.id)
        case .presentCredential(let text): await presentCredential(text)
        }
    }

    // MARK: - Carrying out custody changes

    /// How carrying out a change went.
    enum Outcome: Equatable {
        /// Committed; its latch (if any) accepted the pulse; its effects performed.
        case done
        /// The store refused the commit: nothing changed, `ifStoreRefuses` was performed.
        case refusedByStore
        /// Committed, but the board refused the pulse: the follow-up change was carried out instead
        /// of the effects.
        case latchRefused
    }

    /// Commits `change`, applies it to the model, pulses its latch, performs its effects, in that
    /// order (the latch first: the door opens the instant the code is complete).
    @discardableResult
    func carryOut(
        _ change: CustodyChange, _ what: String, alsoWriting extra: (@Sendable (CustodyTransaction) throws -> Void)? = nil
    ) async -> Outcome {
        if change.writesStore || extra != nil {
            let committed = commit(what) { tx -> Bool in
                _ = try CabinetStore.write(change, in: tx)
                try extra?(tx)
                return true
            }
            guard committed != nil else {
                await perform(change.ifStoreRefuses)
                return .refusedByStore
            }
        }
        model.apply(change)
        if let id = change.latch, !(await pulse(id)) {
            await carryOut(custody.latchRefused(change.ifLatchRefused, compartmentID: id, in: model), "latch refused")
            return .latchRefused
        }
        await perform(change.effects)
        return .done
    }

    /// Commits a change that moves no latch and has nothing to say (a record, an alarm), and
    /// applies it; synchronous for callers outside an input (start-up, the simulator's panel).
    @discardableResult
    func commitAndApply(_ change: CustodyChange, _ what: String) -> Bool {
        precondition(change.latch == nil && change.effects.isEmpty, "\(what): a change with effects needs carryOut")
        guard commit(what, { tx -> Bool in _ = try CabinetStore.write(change, in: tx); return true }) != nil else { return false }
        model.apply(change)
        return true
    }

    func perform(_ effects: [CustodyEffect]) async {
        for effect in effects {
            switch effect {
            case .show(let message): await show(message)
            case .sound(let sound): await buzzer.play(Self.pattern(sound))
            case .panel(.depositDoorOpened(let id, let label)): await perform(panel.depositDoorOpened(compartmentID: id, label: label))
            case .panel(.depositDoorSeenOpen(let id, let label)): await perform(panel.depositDoorSeenOpen(compartmentID: id, label: label))
            case .panel(.depositRefused(let message)): await perform(panel.depositRefused(message))
            case .panel(.depositFinished(let message)): await perform(panel.depositFinished(message, now: clock.now()))
            case .lightOff(let id):
                let address = map.address(of: id)
                await lights.set(board: address.board, channel: address.channel, to: .off)
            case .wrongCodeCounted: onWrongCode?()
            }
        }
    }

    /// Pulses a latch. Returns false if the board did not accept it: a board that does not answer
    /// goes offline; a latch fault quarantines that door only.
    func pulse(_ id: Int) async -> Bool {
        let address = map.address(of: id)
        guard let board = boards[address.board], !offlineBoards.contains(address.board) else { return false }
        // Told before the pulse: the door may report open before `unlock` even returns.
        _ = doors[id].unlockCommanded(now: clock.now())
        do {
            try await board.unlock(channel: address.channel, pulseMilliseconds: configuration.latchPulseMilliseconds)
        } catch HardwareError.latchFault(_, _, let detail) {
            // That channel only: the board answers and its other doors work, so it stays online.
            doors[id] = DoorWatchStateMachine(isOpen: model.compartments[id].isDoorOpen, now: clock.now())
            await latchFaulted(id, detail: detail)
            resolveDoorWaiter(id, failure: "the board reports a latch fault: \(detail); quarantined")
            return false
        } catch {
            doors[id] = DoorWatchStateMachine(isOpen: model.compartments[id].isDoorOpen, now: clock.now())
            await boardLost(address.board, detail: "\(error)")
            resolveDoorWaiter(id, failure: "the board did not accept the unlock: \(error)")
            return false
        }
        latchesPulsed += 1
        onUnlock?(ContinuousClock.now - inputArrived)
        await lights.set(board: address.board, channel: address.channel, to: .blink)
        return true
    }

    /// Runs `body` in one store transaction. A failed fsync stops the daemon (see
    /// `CabinetStore.isFailedSync`); a full disk releases the disk reserve and tries once more;
    /// any other refusal is logged and returns nil, changing nothing.
    ///
    /// Power failure on a full disk: the first attempt was rolled back, so a cut before the retry
    /// commits leaves the door as it was (nothing was told, no latch moved); a cut after it keeps
    /// the commit, and the storage alarm that follows is a separate transaction that a cut may
    /// lose, in which case the next start finds the reserve gone or the disk full and raises it.
    @discardableResult
    func commit<T: Sendable>(_ what: String, _ body: @Sendable (CustodyTransaction) throws -> T) -> T? {
        let stamp = EventStamp(wallClock: clock.now(), monotonicNanoseconds: clock.monotonicNanoseconds())
        commitsSinceCheckpoint += 1
        // Before the attempt, whatever its outcome: a refused one costs the feed one needless read.
        recordMayHaveUnpublishedEvents = true
        do {
            return try store.transaction(at: stamp, body)
        } catch {
            CabinetStore.stopOnFailedSync(error, syncing: "a commit", metadata: ["write": "\(what)"], logger: logger)
            guard CabinetStore.isDiskFull(error), let diskReserve, diskReserve.release() else {
                logger.error("store refused a write; nothing was changed", metadata: ["write": "\(what)", "error": "\(error)"])
                return nil
            }
        }
        logger.critical("the disk is full: the disk reserve was released for this commit; deposits stop until space is freed, pickups go on",
                        metadata: ["write": "\(what)", "reserve.path": "\(diskReserve?.path ?? "")"])
        // Tried once more in the released space; then the alarm (deposits refused) is recorded
        // after it, so the commit that must not be refused goes first.
        defer { checkStorage() }
        do {
            return try store.transaction(at: stamp, body)
        } catch {
            CabinetStore.stopOnFailedSync(error, syncing: "a commit", metadata: ["write": "\(what)"], logger: logger)
            logger.error("store refused a write even with the disk reserve released; nothing was changed",
                         metadata: ["write": "\(what)", "error": "\(error)"])
            return nil
        }
    }

    /// Hands newly committed events to the observer (after the fact: never on the unlock path).
    public func publishNewEvents() {
        guard let onEvent, recordMayHaveUnpublishedEvents else { return }
        let before = lastPublishedSequence
        var caughtUp = false
        while true {
            eventFeedReads += 1
            // A read the store refuses ends this call; the next one reads again.
            guard let batch = try? store.events(after: lastPublishedSequence, limit: 500) else { break }
            guard let last = batch.last else { caughtUp = true; break }
            for event in batch { onEvent(event) }
            lastPublishedSequence = last.sequence
        }
        recordMayHaveUnpublishedEvents = !caughtUp
        if lastPublishedSequence != before { afterEvents?() }
    }

    // MARK: - Helpers

    func label(_ id: Int) -> String { model.compartments[id].label }

    func show(_ message: PanelMessage) async {
        lastShown = message
        if configuration.display?.writesJSONLines == true {
            await display.show(message.jsonLine(in: panel.language))
        } else {
            let language = configuration.displayIsASCIIOnly ? .english : panel.language
            await display.show(pager.show(PanelCatalogue.text(message, in: language), now: clock.now()))
        }
        publishScreen()
    }

    /// Tells the kiosk what it shows now. The kiosk speaks the panel's language even where the
    /// character LCD falls back to English: the page has the fonts.
    func publishScreen() {
        onScreen?(KioskScreen(state: panel.state, language: panel.language, message: lastShown))
    }

    /// Scanners emit garbage when a code is half-read or a cable is noisy: refused with a reason.
    private func scanned(_ text: String, scanner: String) async {
        guard !text.isEmpty, text.count <= 512, text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
            logger.notice("scan refused: empty, over-long or not printable ASCII",
                          metadata: ["scanner": "\(scanner)", "scan.length": "\(text.count)"])
            await buzzer.play(.error)
            await show(.scanUnreadable)
            return
        }
        await perform(panel.scanned(text, now: clock.now()))
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

    static func pattern(_ sound: PanelSound) -> BuzzerPattern {
        switch sound {
        case .confirm: .confirm
        case .error: .error
        case .reminder: .reminder
        case .alarm: .alarm
        }
    }

    static func doorPolicy(_ configuration: CabinetConfiguration) -> DoorWatchStateMachine.Policy {
        DoorWatchStateMachine.Policy(
            openConfirmationSeconds: configuration.doorOpenConfirmationSeconds,
            reminderSeconds: configuration.doorReminderSeconds, alarmSeconds: configuration.doorAlarmSeconds)
    }
}
