import Foundation
import LockerCore
import LockerStore
import LockerUplink

/// The pickup room: a resident's code opens the door, the door closing commits the pickup; and the
/// courier's PIN, which counts against the same keypad lockout. Decisions are
/// `CustodyStateMachine+Pickup`'s; this file carries them out and touches only the controller.
extension CabinetController {
    /// A resident typed a complete code.
    func attemptPickup(code: String) async {
        await carryOut(custody.codeEntered(codeHash: codeHash(code), in: model, now: clock.now()), "pickup door opening")
    }

    /// Rehearses the pickup the awaited last digit may complete, and changes nothing: the custody
    /// decision for each of the ten codes (pure; the changes are dropped), then reads of the rows
    /// the commit would write for the doors they would open (`CabinetStore.rehearseCustodyWrite`;
    /// the first door's when none would: a wrong code commits too). Run every millisecond while
    /// the last digit is awaited (`LastDigitAnticipation`), so that its path is warm in the CPU's
    /// caches when it comes.
    public func rehearseLastDigit() {
        guard let candidates = lastDigitHashes else { return }
        lastDigitRehearsals += 1
        let now = clock.now()
        var doors: [Int] = []
        for hash in candidates.hashes {
            if let id = custody.codeEntered(codeHash: hash, in: model, now: now).latch, !doors.contains(id) { doors.append(id) }
        }
        for id in doors.isEmpty ? [0] : doors { store.rehearseCustodyWrite(compartmentID: id) }
    }

    /// The code's keyed hash: looked up among `lastDigitHashes` when the code is one of those,
    /// made now otherwise (a scanned code, a code typed with the panel's other keys between).
    private func codeHash(_ code: String) -> String {
        // Compared as bytes: Character and Unicode comparisons cost microseconds here, cold.
        if let anticipated = lastDigitHashes, let last = code.utf8.last, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(last),
           code.utf8.count == anticipated.typed.utf8.count + 1, code.utf8.starts(with: anticipated.typed.utf8) {
            return anticipated.hashes[Int(last - UInt8(ascii: "0"))]
        }
        return hasher.hash(code: code)
    }

    /// Courier PINs have their own throttle per courier id (`CustodyStateMachine.courierPINEntered`):
    /// the keypad's lockout never keeps a courier out, and a known courier id is still no way to
    /// guess without limit.
    func authenticateCourier(id: String, pin: String) async {
        let courier = authenticate(id: id, pin: pin)
        let outcome = custody.courierPINEntered(courierID: id, known: isListedCourier(id), pinMatches: courier != nil,
                                                in: model, now: clock.now())
        guard outcome.admitted, let courier else {
            logger.notice("courier login refused", metadata: ["courier.id": "\(id)"])
            await perform(panel.courierAuthenticated(nil, now: clock.now()))
            await carryOut(outcome.change, "courier wrong-PIN count")
            return
        }
        await carryOut(outcome.change, "courier throttle reset")
        await perform(panel.courierAuthenticated(courier, now: clock.now()))
    }

    /// A courier in the configuration or in the server's list.
    func isListedCourier(_ id: String) -> Bool {
        configuration.couriers.contains { $0.id == id } || ((try? store.serverCouriers()) ?? []).contains { $0.id == id }
    }

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
}
