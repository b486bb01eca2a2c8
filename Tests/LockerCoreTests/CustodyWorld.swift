import Foundation
import LockerCore
import LockerTestSupport

/// A test hasher (the daemon's is an HMAC keyed by the device key).
struct PrefixCodeHasher: PickupCodeHasher {
    func hash(code: String) -> String { "h:" + code }
}

/// People and faults acting on a `PhysicalCabinet`, with custody decided only by
/// `CustodyStateMachine` and carried out the way the daemon carries it out: commit (to `durable`,
/// the store), apply (to `model`, memory), pulse, effects. Every step is logged so that a failing
/// sequence can be read and replayed from its seed.
struct CustodyWorld {
    var rng: SplitMix64
    var now = Date(timeIntervalSince1970: 1_800_000_000)
    let machine: CustodyStateMachine
    /// What the store holds: only committed changes reach it.
    var durable: CabinetModel
    /// What the daemon holds in memory.
    var model: CabinetModel
    var world: PhysicalCabinet
    var log: [String] = []
    /// Broken promises seen while acting (checked by the test with the invariants).
    var violations: [String] = []

    /// A courier at the panel with a deposit door reserved (the door may have failed to open).
    var courier: (compartmentID: Int, intake: ParcelIntake)?
    /// A resident (or a retrieving courier) in front of a door that opened for them.
    var personAtDoor: Int?
    /// The code each compartment's recipient holds (told by the display or the server).
    var codeOf: [Int: String] = [:]
    /// Codes whose parcels were just picked up: typed again within the grace window they reopen once.
    var recentCodeOf: [Int: String] = [:]
    /// The next commit the store refuses (a full disk, an I/O error).
    var storeWillRefuse = false
    /// Power fails right after the next commit, before its latch moves.
    var powerFailsAfterCommit = false
    /// Doors whose settlement the store refused: settled again as time passes (as the daemon does).
    var unsettled: Set<Int> = []
    /// Alarms a door owes: someone opened it (or emptied it) while nobody watched; each must be
    /// recorded when the door is read again.
    var owedAlarms: [Int: Set<CustodyEvent.Kind>] = [:]
    /// Doors pulsed whose jammed latch kept them shut: the door watch's verdict is due.
    var unopenedAfterPulse: Set<Int> = []
    /// Doors a batch retrieval opened that its courier has not closed yet.
    var batchDoorsOpen: [Int] = []
    /// Counts power failures, so a batch interrupted by one stops (memory, and the batch, are gone).
    var powerFailures = 0
    private var nextTracking = 1
    private var lastIssuedCode: String?

    init(seed: UInt64) {
        rng = SplitMix64(seed: seed)
        machine = CustodyStateMachine(
            retention: RetentionPolicy(secondsByClass: [.ambient: 3 * 3600, .chilled: 3600, .frozen: 3600, .heated: 3600]),
            attemptPolicy: .init(freeAttempts: 3, baseLockoutSeconds: 30, maximumLockoutSeconds: 600),
            pickupGraceSeconds: 60, codePolicy: PickupCodePolicy(length: 6), hasher: PrefixCodeHasher())
        let sizes: [CompartmentSize] = [.s, .s, .m, .m, .l, .xl, .s, .m]
        let compartments = sizes.enumerated().map { index, size in
            Compartment(id: index, label: String(format: "A%02d", index + 1), size: size)
        }
        // Board 0 has item sensors, board 1 has none: both answers of the settlement are exercised.
        world = PhysicalCabinet(
            doors: compartments.indices.map { PhysicalCabinet.Door(board: $0 < 4 ? 0 : 1, hasItemSensor: $0 < 4) }, boards: 2)
        durable = CabinetModel(compartments: compartments)
        model = durable
    }

    // MARK: - Carrying out, as the daemon does

    enum Outcome { case done, refusedByStore, latchRefused, powerCut }

    @discardableResult
    mutating func carryOut(_ change: CustodyChange, _ what: String) -> Outcome {
        log.append("  \(what): \(change.events.map(\.kind.rawValue).joined(separator: ", "))"
            + (change.latch.map { " latch \($0)" } ?? ""))
        if change.writesStore {
            if storeWillRefuse, change.events.allSatisfy({ ![.doorOpenedUnseen, .parcelMissing].contains($0.kind) }) {
                storeWillRefuse = false
                log.append("  store refused the commit")
                return .refusedByStore
            }
            durable.apply(change)
            for event in change.events {
                if let id = event.compartmentID { owedAlarms[id]?.remove(event.kind) }
            }
        }
        model.apply(change)
        if powerFailsAfterCommit && change.writesStore {
            powerFailsAfterCommit = false
            log.append("  power failed after the commit")
            powerFailure()
            return .powerCut
        }
        if let id = change.latch {
            let wasOpen = world.doors[id].isOpen
            guard world.pulse(id) else {
                log.append("  board of \(id) did not accept the pulse")
                boardNoticedOffline(world.doors[id].board)
                carryOut(machine.latchRefused(change.ifLatchRefused, compartmentID: id, in: model), "latch refused")
                return .latchRefused
            }
            if !wasOpen, !world.doors[id].isOpen { unopenedAfterPulse.insert(id) }
            // The door sensor reports the opening (the daemon records the door state it reports).
            if let opened = machine.doorSensorChanged(id, isOpen: world.doors[id].isOpen, in: model) { carryOut(opened, "door opened") }
        }
        for effect in change.effects {
            if case .panel(.depositFinished(.depositCommitted(_, let code))) = effect, let id = change.compartments.first?.compartment.id {
                codeOf[id] = code
            }
        }
        return .done
    }

    // MARK: - People

    mutating func courierStartsDeposit() {
        guard courier == nil else { return }
        let recipient = "r\(Int.random(in: 1...4, using: &rng))"
        let size = [CompartmentSize.s, .m, .l].randomElement(using: &rng) ?? .s
        let intake = ParcelIntake(trackingNumber: "T\(nextTracking)", recipientReference: recipient, size: size)
        nextTracking += 1
        log.append("courier deposits \(intake.trackingNumber) for \(recipient), size \(size)")
        let change = machine.depositRequested(intake, courierID: "c1", storageFull: false, in: model)
        guard let id = change.latch else {
            carryOut(change, "refused")
            return
        }
        if carryOut(change, "reservation") == .done { courier = (id, intake) }
    }

    /// The courier puts the parcel in the open door (or not) and closes it.
    mutating func courierClosesDoor(placingParcel: Bool) {
        guard let (id, intake) = courier, world.doors[id].isOpen else { return }
        log.append("courier closes \(id)" + (placingParcel ? " with \(intake.trackingNumber) inside" : " empty"))
        if placingParcel { world.doors[id].items[intake.trackingNumber] = intake.recipientReference }
        world.doors[id].isOpen = false
        courier = nil
        guard world.answers(id) else { return }  // the board did not see it: settled when it is back
        doorClosed(id, interrupted: false, courierAtPanel: true)
    }

    /// The door did not open (jammed): the courier says so; another door is tried.
    mutating func courierReportsDoorDidNotOpen() {
        guard let (id, intake) = courier, !world.doors[id].isOpen else { return }
        log.append("courier reports door \(id) did not open")
        courier = nil
        guard let release = machine.depositReleased(id, reason: "courier reported the door did not open",
                                                    quarantine: "latch did not open", latchFailed: true, in: model),
              carryOut(release, "latch failed") == .done
        else { return }
        let retry = machine.depositRequested(intake, courierID: "c1", excluding: id, storageFull: false, in: model)
        if let next = retry.latch, carryOut(retry, "retry") == .done { courier = (next, intake) }
    }

    /// The courier gives up and takes the parcel away; the open door is closed empty.
    mutating func courierCancels() {
        guard let (id, _) = courier else { return }
        log.append("courier cancels at \(id)")
        guard let change = machine.depositCancelled(id, reason: "cancelled by courier", in: model),
              carryOut(change, "cancel") == .done
        else { return }
        courier = nil
        if world.doors[id].isOpen {
            world.doors[id].isOpen = false
            if world.answers(id) { doorClosed(id, interrupted: false, courierAtPanel: false) }
        }
    }

    /// A resident types a code: theirs, or a wrong one.
    mutating func residentTypesCode(right: Bool) {
        guard personAtDoor == nil else { return }
        let code: String
        if right, let known = (codeOf.isEmpty || Int.random(in: 0..<5, using: &rng) == 0 ? recentCodeOf : codeOf)
            .randomElement(using: &rng) {
            code = known.value
        } else {
            code = String(format: "%06d", Int.random(in: 0..<1_000_000, using: &rng))
        }
        log.append("resident types \(code)")
        let change = machine.codeEntered(codeHash: machine.hasher.hash(code: code), in: model, now: now)
        if let id = change.latch {
            // The right person only: a code opens the door it was issued for.
            let expected = codeOf.first(where: { $0.value == code })?.key ?? recentCodeOf.first(where: { $0.value == code })?.key
            if expected != id {
                violations.append("code \(code) opened door \(id), issued for \(expected.map(String.init) ?? "none")")
            }
            if carryOut(change, "pickup opening") == .done, world.doors[id].isOpen { personAtDoor = id }
            return
        }
        carryOut(change, "code answer")
    }

    /// The person at an open door takes what is inside (or not) and closes it.
    mutating func personClosesDoor(taking: Bool) {
        guard let id = personAtDoor else { return }
        personAtDoor = nil
        // Without an item sensor the cabinet cannot tell a door closed on a parcel from an empty
        // one: people there take their parcel (the settlement relies on it; see PendingOperationSettlement).
        let takes = taking || !world.doors[id].hasItemSensor
        log.append("person at \(id) closes it" + (takes ? " after taking \(world.doors[id].items.keys.sorted())" : " leaving the parcels"))
        if takes { world.doors[id].items = [:] }
        world.doors[id].isOpen = false
        if world.answers(id) { doorClosed(id, interrupted: false, courierAtPanel: false) }
    }

    mutating func courierRetrieves() {
        guard personAtDoor == nil, courier == nil else { return }
        log.append("courier asks for overdue parcels")
        let change = machine.retrievalRequested(courierID: "c2", in: model)
        if let id = change.latch, carryOut(change, "retrieval opening") == .done, world.doors[id].isOpen {
            personAtDoor = id
        } else if change.latch == nil {
            carryOut(change, "nothing overdue")
        }
    }

    /// A courier retrieves every overdue door in one step: the doors open one after another, each
    /// seen open (or given up by the door watch) before the next is pulsed, with the faults armed
    /// before (a refused commit, power failing after a commit, silent boards, jammed latches)
    /// striking between doors.
    mutating func courierRetrievesAll() {
        guard personAtDoor == nil, courier == nil, batchDoorsOpen.isEmpty else { return }
        log.append("courier asks for all overdue parcels")
        let failuresBefore = powerFailures
        let (list, started) = machine.batchRetrievalRequested(courierID: "c2", in: model, now: now)
        carryOut(list, "batch list")
        guard var batch = started else { return }
        while !batch.isFinished, powerFailures == failuresBefore {
            let change = machine.batchRetrievalNextDoor(&batch, in: model)
            guard let id = change.latch else {
                carryOut(change, "batch summary")
                break
            }
            if let earlier = batch.doors.first(where: { $0 != id && !batch.opened.contains($0) && !batch.skipped.contains($0)
                && (batch.position(of: $0) ?? 0) < (batch.position(of: id) ?? 0) }) {
                violations.append("batch door \(id) pulsed before door \(earlier) was seen open or given up")
            }
            switch carryOut(change, "batch door \(id)") {
            case .powerCut:
                return
            case .refusedByStore, .latchRefused:
                _ = machine.batchRetrievalDoorGivenUp(id, batch: &batch, in: model)
            case .done where world.doors[id].isOpen:
                batch.doorSeenOpen(id)
                batchDoorsOpen.append(id)
            case .done:
                // The door watch's verdict after its confirmation time, before the next door.
                unopenedAfterPulse.remove(id)
                log.append("door watch: \(id) did not open after its pulse")
                carryOut(machine.latchDidNotOpen(id, in: model), "latch failed")
                _ = machine.batchRetrievalDoorGivenUp(id, batch: &batch, in: model)
            }
        }
    }

    /// The batch's courier empties one of its open doors (or not) and closes it.
    mutating func courierClosesBatchDoor(taking: Bool) {
        guard !batchDoorsOpen.isEmpty else { return }
        let id = batchDoorsOpen.removeFirst()
        guard world.doors[id].isOpen else { return }  // a passer-by closed it
        let takes = taking || !world.doors[id].hasItemSensor
        log.append("batch courier at \(id) closes it" + (takes ? " after taking \(world.doors[id].items.keys.sorted())" : " leaving the parcels"))
        if takes { world.doors[id].items = [:] }
        world.doors[id].isOpen = false
        if world.answers(id) { doorClosed(id, interrupted: false, courierAtPanel: false) }
    }

    /// A pulsed door that did not open: the door watch's verdict after its confirmation time.
    mutating func doorWatchSeesLatchFailure() {
        guard let id = unopenedAfterPulse.sorted().first else { return }
        unopenedAfterPulse.remove(id)
        guard !world.doors[id].isOpen, world.answers(id), !model.offline.contains(id) else { return }
        if case .deposit = model.pending[id] { return }  // the courier reports it (courierReportsDoorDidNotOpen)
        if case .cancelledDeposit = model.pending[id] { return }
        log.append("door watch: \(id) did not open after its pulse")
        if personAtDoor == id { personAtDoor = nil }
        carryOut(machine.latchDidNotOpen(id, in: model), "latch failed")
    }

    mutating func timePasses() {
        let seconds = Double(Int.random(in: 1...5400, using: &rng))
        now = now.addingTimeInterval(seconds)
        log.append("\(Int(seconds)) s pass")
        for change in machine.overdueFound(in: model, now: now) { carryOut(change, "overdue") }
        for id in unsettled.sorted() where !world.doors[id].isOpen && world.answers(id) && !model.offline.contains(id) {
            unsettled.remove(id)
            log.append("settling \(id) again")
            settle(id, interrupted: true, courierAtPanel: false)
        }
        model.expireGraceWindows(now: now)
    }

    mutating func technicianQuarantinesOrEnables() {
        let id = Int.random(in: 0..<model.compartments.count, using: &rng)
        let audit = CustodyEvent(.maintenanceAction, compartmentID: id, payload: ["action": "test"])
        if model.compartments[id].state == .quarantined {
            // A technician takes out what nobody can account for, and enables the door only when
            // what is inside is what the record says (a parcel missing from it is a case for the
            // server's tools, not for `enable`).
            let recorded = Set((model.liveParcels[id] ?? []).map(\.trackingNumber))
            world.doors[id].items = world.doors[id].items.filter { recorded.contains($0.key) }
            world.doors[id].latchJammed = false
            guard Set(world.doors[id].items.keys) == recorded else { return }
            log.append("technician repairs and enables \(id)")
            carryOut(machine.enabled(id, audit: audit, in: model), "enable")
        } else if model.pending[id] == nil {
            log.append("technician quarantines \(id)")
            carryOut(machine.quarantined(id, reason: "technician t: test", audit: audit, in: model), "quarantine")
        }
    }

    // MARK: - Faults

    /// Someone forces a closed door whose board is silent, takes what is inside, and closes it
    /// again or walks away leaving it open.
    mutating func thiefActsDuringAnOutage() {
        guard let id = world.doors.indices.filter({
            !world.answers($0) && !world.doors[$0].isOpen && courier?.compartmentID != $0 && personAtDoor != $0
                && !batchDoorsOpen.contains($0)
        }).randomElement(using: &rng) else { return }
        let leavesOpen = Bool.random(using: &rng)
        log.append("thief opens \(id) during the outage, takes \(world.doors[id].items.keys.sorted())"
            + (leavesOpen ? ", leaves it open" : ", closes it"))
        var owed = owedAlarms[id] ?? []
        // Detectable only against a record that says closed (a door already recorded open that was
        // closed and opened again while unwatched looks the same as one never touched).
        if leavesOpen && !model.compartments[id].isDoorOpen { owed.insert(.doorOpenedUnseen) }
        if world.doors[id].hasItemSensor && !world.doors[id].items.isEmpty { owed.insert(.parcelMissing) }
        world.doors[id].items = [:]
        world.doors[id].isOpen = leavesOpen
        owedAlarms[id] = owed.isEmpty ? nil : owed
    }

    /// A passer-by closes a door nobody stands at.
    mutating func passerByClosesADoor() {
        guard let id = world.doors.indices.first(where: {
            world.doors[$0].isOpen && courier?.compartmentID != $0 && personAtDoor != $0 && !batchDoorsOpen.contains($0)
        }) else { return }
        log.append("passer-by closes \(id)")
        world.doors[id].isOpen = false
        // Closed again before anyone watched: that it was ever open can no longer be known.
        if !world.answers(id) { owedAlarms[id]?.remove(.doorOpenedUnseen) }
        if world.answers(id), !model.offline.contains(id) { doorClosed(id, interrupted: true, courierAtPanel: false) }
    }

    mutating func latchJams() {
        let id = Int.random(in: 0..<world.doors.count, using: &rng)
        world.doors[id].latchJammed = true
        log.append("latch of \(id) jams")
    }

    mutating func boardGoesSilent() {
        let board = Int.random(in: 0..<world.boardOnline.count, using: &rng)
        guard world.boardOnline[board] else { return }
        world.boardOnline[board] = false
        log.append("board \(board) goes silent")
        if Bool.random(using: &rng) { boardNoticedOffline(board) }
    }

    mutating func boardComesBack() {
        guard let board = world.boardOnline.indices.first(where: { !world.boardOnline[$0] }) else { return }
        world.boardOnline[board] = true
        log.append("board \(board) answers again")
        if model.offline.isDisjoint(with: doors(ofBoard: board)) { return reconcile(board: board) }
        carryOut(machine.boardOnline(board), "board online")
        reconcile(board: board)
        model.setOnline(true, compartmentIDs: doors(ofBoard: board))
    }

    /// Power fails: memory is gone; people walk away; open doors stay open. On restart the
    /// model is rebuilt from the store and every board's doors are reconciled.
    mutating func powerFailure() {
        log.append("power fails; restart")
        if let (id, intake) = courier, world.doors[id].isOpen, case .deposit? = model.pending[id], Bool.random(using: &rng) {
            // The courier puts the parcel in before walking away.
            world.doors[id].items[intake.trackingNumber] = intake.recipientReference
            world.doors[id].isOpen = false
        }
        courier = nil
        if let id = personAtDoor, world.doors[id].isOpen, world.doors[id].hasItemSensor || Bool.random(using: &rng) {
            world.doors[id].items = [:]
            world.doors[id].isOpen = false
        }
        personAtDoor = nil
        for id in batchDoorsOpen where world.doors[id].isOpen && (world.doors[id].hasItemSensor || Bool.random(using: &rng)) {
            world.doors[id].items = [:]
            world.doors[id].isOpen = false
        }
        batchDoorsOpen = []
        powerFailures += 1
        unsettled = []
        unopenedAfterPulse = []
        model = Self.rebuilt(from: durable)
        for board in world.boardOnline.indices {
            if world.boardOnline[board] {
                reconcile(board: board)
            } else {
                boardNoticedOffline(board)
            }
        }
    }

    // MARK: - Private

    private mutating func doorClosed(_ id: Int, interrupted: Bool, courierAtPanel: Bool) {
        carryOut(machine.doorSensorChanged(id, isOpen: false, in: model) ?? CustodyChange(), "door closed")
        settle(id, interrupted: interrupted, courierAtPanel: courierAtPanel)
    }

    private mutating func settle(_ id: Int, interrupted: Bool, courierAtPanel: Bool) {
        var generator = rng
        let machine = self.machine
        let model = self.model
        var issued: String?
        let change = machine.pendingDoorClosed(
            id, itemPresent: world.doors[id].itemSensor, interrupted: interrupted, courierAtPanel: courierAtPanel, in: model,
            now: now, issueCode: { intake, shared in
                let code = machine.issueCode(for: intake, compartmentID: id, shared: shared, in: model, using: &generator)
                issued = code?.code
                return code
            })
        rng = generator
        guard let change else { return }
        let outcome = carryOut(change, "settle \(id)")
        if outcome == .done, let issued, !change.insertedParcels.isEmpty {
            codeOf[id] = issued  // the server tells the resident, whether or not the display showed it
        }
        if outcome == .refusedByStore { unsettled.insert(id) }
        if model.liveParcels[id] != nil, self.model.liveParcels[id] == nil {
            recentCodeOf[id] = codeOf.removeValue(forKey: id)
        }
    }

    private mutating func reconcile(board: Int) {
        for id in doors(ofBoard: board) {
            if let change = machine.doorReconciled(id, sensorOpen: world.doors[id].isOpen, itemPresent: world.doors[id].itemSensor,
                                                   in: model) {
                carryOut(change, "reconcile \(id)")
            }
            if let owed = owedAlarms.removeValue(forKey: id), !owed.isEmpty, model.pending[id] == nil {
                violations.append("door \(id) was tampered with unseen but no \(owed.map(\.rawValue).sorted()) was recorded")
            }
            if !world.doors[id].isOpen, model.pending[id] != nil {
                if courier?.compartmentID == id { courier = nil }
                if personAtDoor == id { personAtDoor = nil }
                batchDoorsOpen.removeAll { $0 == id }
                settle(id, interrupted: true, courierAtPanel: false)
            }
        }
    }

    private mutating func boardNoticedOffline(_ board: Int) {
        let ids = doors(ofBoard: board)
        guard !ids.allSatisfy(model.offline.contains) else { return }
        model.setOnline(false, compartmentIDs: ids)
        carryOut(machine.boardOffline(board, detail: "silent"), "board offline")
    }

    private func doors(ofBoard board: Int) -> [Int] {
        world.doors.indices.filter { world.doors[$0].board == board }
    }

    /// What the daemon loads at start: the store's custody, nothing of memory.
    static func rebuilt(from store: CabinetModel) -> CabinetModel {
        var hashes: [Int: String] = [:]
        for compartment in store.compartments { hashes[compartment.id] = store.codeHash(ofCompartment: compartment.id) }
        return CabinetModel(compartments: store.compartments, liveParcels: store.allLiveParcels, codeHashes: hashes,
                            pending: store.pending, attemptGuard: store.attemptGuard, nextParcelID: store.nextParcelID,
                            preAdvice: Array(store.preAdvice.values))
    }
}
