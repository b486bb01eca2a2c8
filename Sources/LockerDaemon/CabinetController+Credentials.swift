import Crypto
import Foundation
import LockerCore
import LockerStore
import LockerUplink

/// Credentials the central server signed, checked with no network: a resident's pickup QR code
/// opens the parcel's door once; a courier's badge logs the courier in.
extension CabinetController {
    func presentCredential(_ text: String) async {
        var keys: [String: Curve25519.Signing.PublicKey] = [:]
        for (kid, encoded) in configuration.uplink?.credentialKeys ?? [:] {
            if let data = Data(base64Encoded: encoded), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: data) {
                keys[kid] = key
            }
        }
        // Expiry is measured against the latest time ever recorded, not only the clock: a clock
        // set back (by mistake or on purpose) does not revive an expired credential.
        guard let highWater = try? store.timeHighWater() else {
            // Without it a clock set back could revive an expired credential: refuse instead.
            await show(.failure("The cabinet cannot check this code right now. Please see staff."))
            return
        }
        let latest = max(clock.now(), highWater)
        let credential: OfflineCredential
        do {
            credential = try OfflineCredential.verify(text, keys: keys, cabinetID: configuration.cabinetID, latestKnownTime: latest)
        } catch {
            logger.notice("credential refused", metadata: ["reason": "\(error)"])
            await buzzer.play(.error)
            await show(.failure("This code cannot be used here: \(error)."))
            return
        }
        switch credential.claims.typ {
        case "pickup":
            await pickUp(with: credential.claims)
        case "courier":
            guard let id = credential.claims.courier, !id.isEmpty else {
                await show(.failure("This badge names no courier."))
                return
            }
            // A badge is withdrawn by taking its courier off the list; and none lives longer than a
            // month, so a lost one does not work for ever.
            guard isKnownCourier(id), credential.claims.exp <= latest.addingTimeInterval(31 * 86_400).timeIntervalSince1970 else {
                logger.notice("courier badge refused: unknown courier or too long a life", metadata: ["courier.id": "\(id)"])
                await buzzer.play(.error)
                await show(.failure("This badge is not valid here."))
                return
            }
            let courier = Courier(id: id, name: credential.claims.name ?? id, carrier: credential.claims.carrier ?? "")
            logger.info("courier badge accepted", metadata: ["courier.id": "\(id)"])
            await perform(panel.courierBadgeAccepted(courier, now: clock.now()))
        default:
            await buzzer.play(.error)
            await show(.failure("This code cannot be used here: \(OfflineCredential.Rejection.wrongKind(credential.claims.typ))."))
        }
    }

    /// A pickup by signed credential: the same custody steps as a typed code, with the
    /// credential's id recorded as used in the transaction that opens the door (a power failure
    /// leaves both or neither), so the same QR code never opens the door twice.
    private func pickUp(with claims: OfflineCredential.Claims) async {
        guard let parcelID = claims.parcel, let parcel = model.allLiveParcels.first(where: { $0.id == parcelID }),
              parcel.trackingNumber == claims.trk
        else {
            await buzzer.play(.error)
            await show(.failure("This parcel is no longer in the cabinet."))
            return
        }
        let id = parcel.compartmentID
        let compartment = model.compartments[id]
        guard model.codeHash(ofCompartment: id) != nil else {
            // revoke_code ends every way in for this door, the QR code too.
            await buzzer.play(.error)
            await show(.failure("This code was withdrawn. Please contact the sender."))
            return
        }
        guard model.pending[id] == nil, !model.offline.contains(id),
              compartment.state == .occupied || compartment.state == .overdue
        else {
            // Refused before the credential is used: the resident can try again later.
            await show(.doorUnavailable(label: compartment.label))
            return
        }
        let parcelIDs = (model.liveParcels[id] ?? []).map(\.id)
        let operation = PendingOperation.pickup(parcelIDs: parcelIDs, codeHash: "credential:" + claims.jti)
        let jti = claims.jti
        let outcome: Bool? = commit("credential pickup door opening") { tx in
            guard try !tx.isCredentialUsed(jti) else { return false }
            try tx.markCredentialUsed(jti)
            var c = try tx.compartment(id)
            c.latchCycles += 1
            try tx.update(c)
            try tx.setPending(operation, compartmentID: id)
            try tx.append(CustodyEvent(.pickupDoorOpened, compartmentID: id, payload: [
                "label": .string(c.label), "parcel_ids": .ints(parcelIDs), "credential_id": .string(jti),
            ]))
            return true
        }
        guard let outcome else {
            await show(.failure("The cabinet cannot record this pickup right now. Please see staff."))
            return
        }
        guard outcome else {
            logger.notice("a used pickup credential was shown again", metadata: ["credential.id": "\(jti)"])
            await buzzer.play(.error)
            await show(.failure("This code was already used."))
            return
        }
        if let updated = try? store.snapshot().compartments.first(where: { $0.id == id }) { model.replace(updated) }
        model.setPending(operation, compartmentID: id)
        publishNewEvents()
        if await pulse(id) {
            await show(.pickupDoorOpen(label: compartment.label))
            await buzzer.play(.confirm)
        } else {
            // The door never opened: the credential is given back with the operation cleared.
            let cleared: Bool? = commit("credential pickup not opened") { tx in
                try tx.setPending(nil, compartmentID: id)
                try tx.forgetCredentialUse(jti)
                try tx.append(CustodyEvent(.pickupNotTaken, compartmentID: id, payload: [
                    "label": .string(compartment.label), "reason": "board not answering",
                ]))
                return true
            }
            if cleared != nil { model.setPending(nil, compartmentID: id) }
            await show(.doorUnavailable(label: compartment.label))
        }
    }

    /// A courier in the configuration or in the server's list.
    private func isKnownCourier(_ id: String) -> Bool {
        configuration.couriers.contains { $0.id == id } || ((try? store.serverCouriers()) ?? []).contains { $0.id == id }
    }
}
