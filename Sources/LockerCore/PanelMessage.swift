/// What the cabinet's display tells the person in front of it. The wording lives in the core so
/// that every display (LCD, screen process, simulator) says the same thing.
public enum PanelMessage: Sendable, Equatable, CustomStringConvertible {
    case welcome
    case codeProgress(typed: Int, length: Int)
    case codeTooShort(length: Int)
    case notAPickupCode
    case wrongCode(triesLeft: Int)
    case lockedOut(seconds: Int)
    /// Too many wrong PINs for one courier id (that id only; the keypad is not locked by them).
    case courierLockedOut(seconds: Int)
    case pickupDoorOpen(label: String)
    case pickupDone(label: String)
    case parcelStillInside(label: String)
    case doorUnavailable(label: String)
    case enterCourierID
    case enterPIN
    case courierRejected
    /// A courier's session is open but quiet: the screen shows nothing of it.
    case courierIdle
    case courierReady(name: String)
    case courierOptions
    case trackingRejected(reason: String)
    case chooseSize(trackingNumber: String, suggested: CompartmentSize, temperatureClass: TemperatureClass)
    /// The latch was pulsed; the door is not yet seen open.
    case depositDoorOpening(label: String)
    case depositDoorOpen(label: String)
    case noCompartment(size: CompartmentSize, temperatureClass: TemperatureClass)
    case depositsSuspended(reason: String)
    case depositCommitted(label: String, code: String)
    case depositAddedToShared(label: String)
    /// A deposit finished with nobody known to be at the panel: no code on the public display.
    case depositRecorded(label: String)
    case depositCancelled(label: String)
    case depositClosedEmpty(label: String)
    case doorDidNotOpen(label: String)
    case noOverdueParcels
    case retrievalDoorOpen(label: String, parcels: Int)
    case retrievalDone(label: String)
    case pleaseCloseDoor(label: String)
    case loggedOut
    case failure(String)

    public var description: String { text }

    public var text: String {
        switch self {
        case .welcome:
            return "Type your pickup code or scan your QR code. Couriers: press MENU."
        case .codeProgress(let typed, let length):
            return "Code: " + String(repeating: "*", count: typed) + String(repeating: "_", count: max(0, length - typed))
        case .codeTooShort(let length):
            return "A pickup code has \(length) digits. Please type it again."
        case .notAPickupCode:
            return "This is not a pickup code. Type your code or scan your pickup QR code."
        case .wrongCode(let triesLeft):
            return "Wrong code, \(triesLeft) \(triesLeft == 1 ? "try" : "tries") left."
        case .lockedOut(let seconds):
            // The truth, and the ways that still work: nobody with a QR code or a courier login
            // is kept out by a keypad lockout.
            return "Keypad locked for \(Self.wait(seconds)). QR codes and couriers still work."
        case .courierLockedOut(let seconds):
            return "Too many wrong PINs for this courier ID. Try again in \(Self.wait(seconds))."
        case .pickupDoorOpen(let label):
            return "Door \(label) is open. Take your parcel and close the door."
        case .pickupDone(let label):
            return "Thank you. Door \(label) is closed."
        case .parcelStillInside(let label):
            return "Your parcel is still in \(label). Type your code again to reopen the door."
        case .doorUnavailable(let label):
            return "Door \(label) cannot be opened right now. Please see staff."
        case .enterCourierID:
            return "Courier: type your courier ID, then ENTER."
        case .enterPIN:
            return "Type your PIN, then ENTER."
        case .courierIdle:
            return "Courier session open. Press a key to continue."
        case .courierRejected:
            return "Courier ID or PIN not recognised."
        case .courierReady(let name):
            return "Hello \(name). Scan a parcel or key its number and ENTER. ENTER alone: options."
        case .courierOptions:
            return "1 retrieve overdue parcels, 2 log out, CLEAR back."
        case .trackingRejected(let reason):
            return "Cannot accept this parcel: \(reason)."
        case .chooseSize(let tracking, let suggested, let temperatureClass):
            return "Parcel \(tracking) (\(temperatureClass)): size 1 XS 2 S 3 M 4 L 5 XL, ENTER = \(suggested). "
                + "Class: 0 ambient 6 chilled 7 frozen 8 heated. CLEAR cancels."
        case .depositDoorOpening(let label):
            return "Opening \(label)... 2 door did not open, CLEAR cancel."
        case .depositDoorOpen(let label):
            return "Door \(label) is open. Put the parcel in and close the door. "
                + "1 larger door, 2 door did not open, CLEAR cancel."
        case .noCompartment(let size, let temperatureClass):
            return "No free \(temperatureClass) compartment of size \(size) or larger. Nothing was deposited."
        case .depositsSuspended(let reason):
            return "Deposits are suspended: \(reason). Pickups still work."
        case .depositCommitted(let label, let code):
            return "Deposited in \(label). Pickup code \(code). Scan the next parcel."
        case .depositAddedToShared(let label):
            return "Deposited in \(label) with the same recipient's other parcels: their pickup code opens it. Scan the next parcel."
        case .depositRecorded(let label):
            return "Deposit in \(label) recorded."
        case .depositCancelled(let label):
            return "Deposit cancelled. Please close door \(label)."
        case .depositClosedEmpty(let label):
            return "Door \(label) closed with no parcel inside: deposit cancelled."
        case .doorDidNotOpen(let label):
            return "Door \(label) did not open; it is taken out of service."
        case .noOverdueParcels:
            return "No overdue parcels to retrieve."
        case .retrievalDoorOpen(let label, let parcels):
            return "Door \(label) is open: take the \(parcels) overdue parcel\(parcels == 1 ? "" : "s") and close the door."
        case .retrievalDone(let label):
            return "Retrieval from \(label) recorded."
        case .pleaseCloseDoor(let label):
            return "Please close door \(label)."
        case .loggedOut:
            return "Courier logged out."
        case .failure(let text):
            return text
        }
    }
}

extension PanelMessage {
    /// "40 s" under a minute, else whole minutes rounded up ("4 min").
    static func wait(_ seconds: Int) -> String {
        seconds < 60 ? "\(seconds) s" : "\((seconds + 59) / 60) min"
    }
}
