import Foundation
import LockerCore
import LockerStore

/// The deposit room: a courier's parcel from its scan to its custody. Decisions are
/// `CustodyStateMachine+Deposit`'s; this file only carries them out (see `carryOut`) and talks to
/// the panel. It touches nothing but the controller.
extension CabinetController {
    func identifyParcel(_ trackingNumber: String) async {
        switch custody.parcelIdentified(trackingNumber, in: model) {
        case .suggested(let intake):
            await perform(panel.parcelIdentified(intake))
        case .refused(let message, let alreadyInside):
            if alreadyInside { await buzzer.play(.error) }
            await perform(panel.depositFinished(message, now: clock.now()))
        }
    }

    /// Reserves a compartment and opens it for a courier (power failure: see
    /// `CustodyStateMachine+Deposit`). A board that does not accept the pulse goes offline, its
    /// reservation is released and the next door is tried; each retry excludes that board, so
    /// this ends.
    func startDeposit(_ intake: ParcelIntake, courierID: String, minimumSize: CompartmentSize? = nil, excluding: Int? = nil) async {
        checkStorage()
        for _ in 0...boards.count {
            let change = custody.depositRequested(intake, courierID: courierID, minimumSize: minimumSize, excluding: excluding,
                                                  storageFull: storageFull, in: model)
            guard await carryOut(change, "deposit reservation") == .latchRefused else { return }
        }
    }

    func largerDoor(than id: Int) async {
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
        guard let cancellation = custody.depositCancelled(id, reason: "courier asked for a larger door", in: model),
              await carryOut(cancellation, "deposit cancellation") == .done
        else { return }
        await show(.pleaseCloseDoor(label: label(id)))
        await startDeposit(larger, courierID: courierID, excluding: id)
    }

    func cancelDeposit(_ id: Int) async {
        guard let cancellation = custody.depositCancelled(id, reason: "cancelled by courier", in: model),
              await carryOut(cancellation, "deposit cancellation") == .done
        else { return }
        await perform(panel.depositFinished(.depositCancelled(label: label(id)), now: clock.now()))
    }

    /// The deposit door did not open (reported by the courier or seen by the sensor): the
    /// compartment is quarantined and, if the courier is still there, another door is opened.
    func depositLatchFailed(_ id: Int, reportedByCourier: Bool) async {
        guard case .deposit(let intake, let courierID, _) = model.pending[id] else { return }
        if doors[id].isOpen {
            // The sensor saw it open: the latch worked. Nothing to quarantine.
            await show(.depositDoorOpen(label: label(id)))
            return
        }
        let reason = reportedByCourier ? "courier reported the door did not open" : "door sensor did not see the door open"
        guard let release = custody.depositReleased(id, reason: reason, quarantine: "latch did not open: \(reason)",
                                                    latchFailed: true, in: model),
              await carryOut(release, "deposit release") == .done
        else { return }
        // The door never opened: stop waiting for it (no second latch failure later).
        doors[id] = DoorWatchStateMachine(isOpen: false, now: clock.now())
        resolveDoorWaiter(id, failure: "the latch did not open (\(reason)); quarantined")
        await buzzer.play(.error)
        await show(.doorDidNotOpen(label: label(id)))
        if panel.isDepositOpen(compartmentID: id) {
            await startDeposit(intake, courierID: courierID, excluding: id)
        }
    }

    /// The code sealed for the central server, which tells the resident (nil: no sealing key, or
    /// it failed, which is logged: the resident will then not learn the code from the server).
    func seal(code: String, trackingNumber: String, compartmentID id: Int) -> String? {
        guard let codeSealer else { return nil }
        do {
            return try codeSealer.seal(code: code, trackingNumber: trackingNumber)
        } catch {
            logger.error("the pickup code could not be sealed for the server; the resident will not learn it from there",
                         metadata: ["compartment.id": "\(id)", "error": "\(error)"])
            return nil
        }
    }
}
