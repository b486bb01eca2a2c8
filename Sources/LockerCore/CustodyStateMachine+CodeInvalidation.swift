public import Foundation

/// A lost device key: the pickup codes issued under it can no longer be checked. The recovery
/// (`lockerd --new-device-key`) makes a new key and records which parcels lost their code, so the
/// central server can issue new ones (pre-advice or sealed codes) and staff can see them.
extension CustodyStateMachine {
    /// The prefix of a compartment's code hash whose code was issued under a lost key. Such a
    /// "hash" is not hex, so no typed code can ever match it; the door still opens to a signed
    /// QR code or a courier, and a new code from the server replaces it.
    public static let invalidatedCodePrefix = "invalidated:"

    /// Every live code was issued under a key that is gone: each compartment with one gets an
    /// unmatchable marker instead, and one `codes.invalidated` event lists the parcels affected.
    /// - Parameter reason: why (the operator's recovery), for the record.
    public func codesInvalidated(reason: String, in model: CabinetModel) -> CustodyChange {
        var change = CustodyChange()
        var parcelIDs: [Int64] = [], trackingNumbers: [String] = [], labels: [String] = []
        for compartment in model.compartments {
            guard let hash = model.codeHash(ofCompartment: compartment.id), !hash.hasPrefix(Self.invalidatedCodePrefix) else {
                continue
            }
            var record = model.record(compartment.id)
            // Unique per door: the schema keeps live code hashes unique.
            record.codeHash = Self.invalidatedCodePrefix + "\(compartment.id)"
            change.write(record)
            labels.append(compartment.label)
            for parcel in model.liveParcels[compartment.id] ?? [] {
                parcelIDs.append(parcel.id)
                trackingNumbers.append(parcel.trackingNumber)
            }
        }
        change.record(CustodyEvent(.codesInvalidated, payload: [
            "reason": .string(reason), "parcel_ids": .ints(parcelIDs), "tracking_numbers": .strings(trackingNumbers),
            "doors": .strings(labels),
        ]))
        return change
    }
}

extension CabinetModel {
    /// This door's code was issued under a lost device key: the recipient needs a new one.
    public func codeIsInvalidated(compartment id: Int) -> Bool {
        codeHash(ofCompartment: id)?.hasPrefix(CustodyStateMachine.invalidatedCodePrefix) ?? false
    }
}
