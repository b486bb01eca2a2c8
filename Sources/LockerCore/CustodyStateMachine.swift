public import Foundation

/// Decides every custody transition of the cabinet: deposits, pickups, retrievals, door
/// supervision, housekeeping and the technician's actions.
///
/// Pure: each method takes the model as it is, an input and `now`, and returns a `CustodyChange`
/// (rows, events, latch, effects) without touching anything. The daemon applies the change to the
/// store and the model, then performs it (see `CustodyChange`). The flows live in one extension
/// file each (`CustodyStateMachine+Deposit.swift`, `+Pickup`, `+Retrieval`, `+Doors`,
/// `+Housekeeping`, `+Maintenance`, `+Downlink`).
public struct CustodyStateMachine: Sendable {
    public var retention: RetentionPolicy
    public var attemptPolicy: CodeAttemptGuard.Policy
    /// How long after a pickup the same code reopens the door once.
    public var pickupGraceSeconds: Double
    public let codePolicy: PickupCodePolicy
    public let hasher: any PickupCodeHasher

    public init(
        retention: RetentionPolicy = RetentionPolicy(), attemptPolicy: CodeAttemptGuard.Policy = .init(),
        pickupGraceSeconds: Double = 60, codePolicy: PickupCodePolicy = PickupCodePolicy(), hasher: any PickupCodeHasher
    ) {
        self.retention = retention
        self.attemptPolicy = attemptPolicy
        self.pickupGraceSeconds = pickupGraceSeconds
        self.codePolicy = codePolicy
        self.hasher = hasher
    }

    /// What a refused latch pulse undoes (the board did not accept the unlock; the daemon has
    /// taken the board offline).
    public func latchRefused(_ refusal: LatchRefusal, compartmentID id: Int, in model: CabinetModel) -> CustodyChange {
        let notTaken: CustodyEvent.Kind
        switch refusal {
        case .nothingToUndo: return CustodyChange()
        case .releaseDeposit: return depositReleased(id, reason: "board not answering", in: model) ?? CustodyChange()
        case .pickupNotTaken, .credentialPickupNotOpened: notTaken = .pickupNotTaken
        case .retrievalNotTaken: notTaken = .retrievalNotTaken
        }
        // The door never opened: the parcels stay, the code (or credential) stays valid.
        let label = model.compartments[id].label
        var change = pendingCleared(id, event: CustodyEvent(notTaken, compartmentID: id, payload: Self.payload(label, [
            "reason": "board not answering",
        ])), in: model)
        if case .credentialPickupNotOpened(let credentialID) = refusal { change.credentialUses = [.forget(credentialID)] }
        change.effects = [.show(.doorUnavailable(label: label))]
        change.ifStoreRefuses = change.effects
        return change
    }

    /// Clears a pending pickup or retrieval that did not complete; its parcels stay in custody.
    public func pendingCleared(_ id: Int, event: CustodyEvent, in model: CabinetModel) -> CustodyChange {
        var change = CustodyChange()
        var record = model.record(id)
        record.pending = nil
        change.write(record)
        change.record(event)
        return change
    }

    /// Parcels leave custody through a closed door (picked up or retrieved): the compartment's
    /// pending operation ends, and once it holds nothing it gives up its code and is free again.
    /// Returns the change so far, the compartment's row as written (for the flow's event) and the
    /// parcels that left.
    func parcelsLeft(_ id: Int, parcelIDs: [Int64], as status: Parcel.Status, in model: CabinetModel)
        -> (CustodyChange, CompartmentRecord, [Parcel])
    {
        let live = model.liveParcels[id] ?? []
        let leaving = live.filter { parcelIDs.contains($0.id) }
        var change = CustodyChange()
        change.updatedParcels = leaving.map { $0.with(status: status) }
        var record = model.record(id)
        if leaving.count == live.count {
            record.codeHash = nil
            if record.compartment.state == .occupied || record.compartment.state == .overdue { record.compartment.state = .available }
        }
        record.pending = nil
        change.write(record)
        return (change, record, leaving)
    }

    /// Builds the label-first payload most events carry.
    static func payload(_ label: String, _ fields: [String: EventValue] = [:]) -> [String: EventValue] {
        fields.merging(["label": .string(label)]) { first, _ in first }
    }
}
