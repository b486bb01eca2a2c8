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
            await show(.credentialUncheckable)
            return
        }
        let latest = max(clock.now(), highWater)
        let credential: OfflineCredential
        do {
            credential = try OfflineCredential.verify(text, keys: keys, cabinetID: configuration.cabinetID, latestKnownTime: latest)
        } catch {
            logger.notice("credential refused", metadata: ["reason": "\(error)"])
            await buzzer.play(.error)
            await show(.credentialRefused(Self.credentialProblem(error)))
            return
        }
        switch credential.claims.typ {
        case "pickup":
            await pickUp(with: credential.claims)
        case "courier":
            guard let id = credential.claims.courier, !id.isEmpty else {
                await show(.badgeNamesNoCourier)
                return
            }
            // A badge is withdrawn by taking its courier off the list; and none lives longer than a
            // month, so a lost one does not work for ever.
            guard isListedCourier(id), credential.claims.exp <= latest.addingTimeInterval(31 * 86_400).timeIntervalSince1970 else {
                logger.notice("courier badge refused: unknown courier or too long a life", metadata: ["courier.id": "\(id)"])
                await buzzer.play(.error)
                await show(.badgeInvalid)
                return
            }
            let courier = Courier(id: id, name: credential.claims.name ?? id, carrier: credential.claims.carrier ?? "")
            logger.info("courier badge accepted", metadata: ["courier.id": "\(id)"])
            await perform(panel.courierBadgeAccepted(courier, now: clock.now()))
        default:
            await buzzer.play(.error)
            await show(.credentialRefused(Self.credentialProblem(OfflineCredential.Rejection.wrongKind(credential.claims.typ))))
        }
    }

    /// A pickup by signed credential (see `CustodyStateMachine.credentialPresented`).
    private func pickUp(with claims: OfflineCredential.Claims) async {
        let alreadyUsed: Bool
        do {
            alreadyUsed = try store.isCredentialUsed(claims.jti)
        } catch {
            await show(.pickupNotRecordable)
            return
        }
        if alreadyUsed { logger.notice("a used pickup credential was shown again", metadata: ["credential.id": "\(claims.jti)"]) }
        let change = custody.credentialPresented(parcelID: claims.parcel, trackingNumber: claims.trk, credentialID: claims.jti,
                                                 alreadyUsed: alreadyUsed, in: model)
        await carryOut(change, "credential pickup door opening")
    }
}

extension CabinetController {
    /// The verifier's reason as the panel words it; the names it quotes are cut as the log's are.
    static func credentialProblem(_ error: any Error) -> CredentialProblem {
        guard let rejection = error as? OfflineCredential.Rejection else { return .malformed }
        return switch rejection {
        case .malformed: .malformed
        case .unknownKey(let key): .unknownKey(String(key.prefix(32)))
        case .badSignature: .badSignature
        case .otherCabinet(let cabinet): .otherCabinet(String(cabinet.prefix(32)))
        case .expired: .expired
        case .wrongKind(let kind): .wrongKind(String(kind.prefix(16)))
        }
    }
}
