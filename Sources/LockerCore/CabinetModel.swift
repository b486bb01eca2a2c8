public import Foundation

/// The in-memory picture of the cabinet's custody: compartments, live parcels, pickup-code hashes
/// and pending door operations, plus the assignment index.
///
/// It mirrors the store: the daemon loads it at start and applies every change *after* the store
/// committed it, so it is never ahead of what would survive a power failure.
public struct CabinetModel: Sendable {
    /// A resident's pickup just committed: the same code reopens the door once until `until`, for
    /// whoever closed it before taking everything.
    public struct GraceWindow: Sendable, Equatable {
        public var compartmentID: Int
        public var until: Date
        public var reopened: Bool

        public init(compartmentID: Int, until: Date, reopened: Bool = false) {
            self.compartmentID = compartmentID
            self.until = until
            self.reopened = reopened
        }
    }

    public private(set) var compartments: [Compartment]
    public private(set) var liveParcels: [Int: [Parcel]]
    public private(set) var pending: [Int: PendingOperation]
    public private(set) var offline: Set<Int>
    /// Cold compartments whose zone is out of its band or has a faulty probe: they take no new
    /// parcels (the ones inside stay and can be picked up) until the zone is back in range.
    public private(set) var climateUnfit: Set<Int>
    /// The keypad's wrong-code count and lockout (durable: a restart gives a guesser nothing).
    public private(set) var attemptGuard: CodeAttemptGuard
    /// Each courier id's own wrong-PIN throttle (unknown ids share one), kept apart from the
    /// keypad's so that neither locks the other's people out. In memory only (see README).
    public private(set) var courierGuards: [String: CodeAttemptGuard] = [:]
    /// The id the next deposited parcel gets (ids are never reused, as the store's AUTOINCREMENT).
    public private(set) var nextParcelID: Int64
    /// Pickup grace windows by code hash (in memory only).
    public private(set) var graceWindows: [String: GraceWindow] = [:]
    /// Pre-advice from the central server by tracking number, until its deposit commits.
    public private(set) var preAdvice: [String: ParcelIntake] = [:]
    private var codeHashByCompartment: [Int: String]
    private var compartmentByCodeHash: [String: Int]
    private var assigner: CompartmentAssigner

    /// - Parameter compartments: ids must be 0..<count in order (the id is the assigner's slot index).
    public init(
        compartments: [Compartment], liveParcels: [Parcel] = [], codeHashes: [Int: String] = [:],
        pending: [Int: PendingOperation] = [:], attemptGuard: CodeAttemptGuard = CodeAttemptGuard(),
        courierGuards: [String: CodeAttemptGuard] = [:], nextParcelID: Int64? = nil, preAdvice: [ParcelIntake] = []
    ) {
        precondition(compartments.enumerated().allSatisfy { $0.offset == $0.element.id },
                     "compartment ids must be 0..<count in order")
        self.compartments = compartments
        self.liveParcels = Dictionary(grouping: liveParcels, by: \.compartmentID)
        self.pending = pending
        self.offline = []
        self.climateUnfit = []
        self.attemptGuard = attemptGuard
        self.courierGuards = courierGuards
        self.nextParcelID = max(nextParcelID ?? 1, (liveParcels.map(\.id).max() ?? 0) + 1)
        for intake in preAdvice { self.preAdvice[intake.trackingNumber] = intake }
        self.codeHashByCompartment = codeHashes
        self.compartmentByCodeHash = Dictionary(codeHashes.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        self.assigner = CompartmentAssigner(slots: [])
        self.assigner = CompartmentAssigner(slots: compartments.map { slot(for: $0.id) })
    }

    // MARK: - Queries

    public func compartment(_ id: Int) -> Compartment? {
        compartments.indices.contains(id) ? compartments[id] : nil
    }

    public func compartment(labelled label: String) -> Compartment? {
        compartments.first { CompartmentLabel.same($0.label, label) }
    }

    /// A compartment's stored row as it is now, for a change to modify and write.
    public func record(_ id: Int) -> CompartmentRecord {
        CompartmentRecord(compartment: compartments[id], pending: pending[id], codeHash: codeHashByCompartment[id],
                          storedCodeHash: .known(codeHashByCompartment[id]))
    }

    public func compartmentID(forCodeHash hash: String) -> Int? { compartmentByCodeHash[hash] }
    public func codeHash(ofCompartment id: Int) -> String? { codeHashByCompartment[id] }
    public func isCodeHashLive(_ hash: String) -> Bool { compartmentByCodeHash[hash] != nil }

    public var allLiveParcels: [Parcel] {
        liveParcels.keys.sorted().flatMap { liveParcels[$0] ?? [] }
    }

    /// Picks a compartment for a parcel (see `CompartmentAssigner.choose` for the rules).
    public func choose(
        for intake: ParcelIntake, minimumSize: CompartmentSize? = nil, excluding: Int? = nil
    ) -> Assignment? {
        let request = AssignmentRequest(
            parcelSize: intake.size, temperatureClass: intake.temperatureClass,
            needsAccessible: intake.needsAccessible,
            recipientKey: Self.recipientKey(intake.recipientReference),
            minimumCompartmentSize: max(minimumSize ?? intake.size, intake.size),
            excludedSlot: Int32(excluding ?? -1)
        )
        return assigner.choose(request)
    }

    // MARK: - Changes (apply only after the store committed them)

    // Custody fields change only through `apply(_:)` (CabinetModel+Apply.swift): these setters are
    // internal so that nothing outside Core assigns custody state (the tests reach them with
    // `@testable`).
    mutating func replace(_ compartment: Compartment) {
        compartments[compartment.id] = compartment
        refreshSlot(compartment.id)
    }

    mutating func setLiveParcels(_ parcels: [Parcel], compartmentID: Int) {
        liveParcels[compartmentID] = parcels.isEmpty ? nil : parcels
        refreshSlot(compartmentID)
    }

    mutating func setCodeHash(_ hash: String?, compartmentID: Int) {
        if let old = codeHashByCompartment[compartmentID] { compartmentByCodeHash[old] = nil }
        codeHashByCompartment[compartmentID] = hash
        if let hash { compartmentByCodeHash[hash] = compartmentID }
    }

    mutating func setPending(_ operation: PendingOperation?, compartmentID: Int) {
        pending[compartmentID] = operation
        refreshSlot(compartmentID)
    }

    /// Compartments of a board that stopped answering take no new parcels until it is back.
    public mutating func setOnline(_ isOnline: Bool, compartmentIDs: some Sequence<Int>) {
        for id in compartmentIDs {
            if isOnline { offline.remove(id) } else { offline.insert(id) }
            refreshSlot(id)
        }
    }

    /// A cold zone left or came back into its band (or its probe failed or recovered).
    public mutating func setClimateFit(_ isFit: Bool, compartmentIDs: some Sequence<Int>) {
        for id in compartmentIDs {
            if isFit { climateUnfit.remove(id) } else { climateUnfit.insert(id) }
            refreshSlot(id)
        }
    }

    mutating func setAttemptGuard(_ value: CodeAttemptGuard) { attemptGuard = value }
    mutating func setCourierGuard(_ value: CodeAttemptGuard?, courierID: String) { courierGuards[courierID] = value }

    mutating func advanceNextParcelID(past id: Int64) { nextParcelID = max(nextParcelID, id + 1) }

    mutating func setGraceWindow(_ window: GraceWindow?, codeHash: String) {
        if let window, graceWindows.contains(where: { $0.key != codeHash && $0.value.compartmentID == window.compartmentID }) {
            // A door has one last pickup: an earlier code's window on it is over. So the windows
            // are never more than the doors, even where time stands still (a manual clock).
            graceWindows = graceWindows.filter { $0.key == codeHash || $0.value.compartmentID != window.compartmentID }
        }
        graceWindows[codeHash] = window
    }

    mutating func setPreAdvice(_ intake: ParcelIntake?, trackingNumber: String) { preAdvice[trackingNumber] = intake }

    // MARK: - Private

    private mutating func refreshSlot(_ id: Int) {
        assigner.update(slot: Int32(id), to: slot(for: id))
    }

    private func slot(for id: Int) -> CompartmentSlot {
        let compartment = compartments[id]
        let parcels = liveParcels[id] ?? []
        // A door standing open (a resident reopening it in the grace window, a technician, a
        // forced door) is never sent a courier: two people would be at one door.
        let usable = !offline.contains(id) && !climateUnfit.contains(id) && pending[id] == nil && !compartment.isDoorOpen
        let availability: SlotAvailability
        switch compartment.state {
        case .available where usable && parcels.isEmpty: availability = .available
        case .occupied where usable: availability = .occupied
        default: availability = .unavailable
        }
        // Only parcels of one known recipient make a compartment shareable.
        let recipients = Set(parcels.map(\.recipientReference))
        let recipientKey = recipients.count == 1 ? Self.recipientKey(recipients.first ?? "") : 0
        let used = parcels.reduce(0) { $0 + Int($1.size.capacityUnits) }
        return CompartmentSlot(
            size: compartment.size, temperatureClass: compartment.temperatureClass,
            isAccessible: compartment.isAccessible, availability: availability,
            usedUnits: UInt8(min(used, 255)), recipientKey: recipientKey,
            latchCycles: UInt32(clamping: compartment.latchCycles)
        )
    }

    /// A stable 64-bit key for a recipient reference (FNV-1a); 0 means "unknown, never share".
    public static func recipientKey(_ reference: String) -> UInt64 {
        guard !reference.isEmpty else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in reference.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash == 0 ? 1 : hash
    }
}
