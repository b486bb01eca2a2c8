/// What the front panel asks the daemon to do. The daemon performs it and reports the outcome back
/// through the state machine's event methods.
public enum PanelAction: Sendable, Equatable {
    case show(PanelMessage)
    /// Check a complete pickup code (lockout, keyed hash, store) and open the door if it matches.
    case attemptPickup(code: String)
    case authenticateCourier(id: String, pin: String)
    /// Look the tracking number up (pre-advice) and answer with `parcelIdentified`.
    case identifyParcel(trackingNumber: String, courier: Courier)
    /// Choose a compartment, reserve it durably, pulse its latch; answer with `depositDoorOpened`
    /// or `depositRefused`.
    case depositParcel(ParcelIntake, courier: Courier)
    case requestLargerDoor(compartmentID: Int)
    case reportDoorDidNotOpen(compartmentID: Int)
    case cancelDeposit(compartmentID: Int)
    /// Open the next overdue door the courier may take.
    case retrieveOverdue(courier: Courier)
    /// Open every overdue door the courier may take, one after another (a batch retrieval).
    case retrieveAllOverdue(courier: Courier)
    /// A scanned credential signed by the central server (a pickup QR code or a courier badge):
    /// verify it offline and act on it (open the parcel's door, or log the courier in).
    case presentCredential(String)
}
