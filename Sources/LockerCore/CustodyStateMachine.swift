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
        switch refusal {
        case .nothingToUndo:
            return CustodyChange()
        case .releaseDeposit:
            return depositReleased(id, reason: "board not answering", in: model) ?? CustodyChange()
        case .pickupNotTaken:
            var change = pendingCleared(id, event: CustodyEvent(.pickupNotTaken, compartmentID: id, payload: [
                "label": .string(model.compartments[id].label), "reason": "board not answering",
            ]), in: model)
            change.effects = [.show(.doorUnavailable(label: model.compartments[id].label))]
            change.ifStoreRefuses = change.effects
            return change
        case .credentialPickupNotOpened(let credentialID):
            var change = pendingCleared(id, event: CustodyEvent(.pickupNotTaken, compartmentID: id, payload: [
                "label": .string(model.compartments[id].label), "reason": "board not answering",
            ]), in: model)
            change.credentialUses = [.forget(credentialID)]
            change.effects = [.show(.doorUnavailable(label: model.compartments[id].label))]
            change.ifStoreRefuses = change.effects
            return change
        case .retrievalNotTaken:
            var change = pendingCleared(id, event: CustodyEvent(.retrievalNotTaken, compartmentID: id, payload: [
                "label": .string(model.compartments[id].label), "reason": "board not answering",
            ]), in: model)
            change.effects = [.show(.doorUnavailable(label: model.compartments[id].label))]
            change.ifStoreRefuses = change.effects
            return change
        }
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

    /// Builds the label-first payload most events carry.
    static func payload(_ label: String, _ fields: [String: EventValue] = [:]) -> [String: EventValue] {
        fields.merging(["label": .string(label)]) { first, _ in first }
    }
}
