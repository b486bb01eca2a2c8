/// What the cabinet's display tells the person in front of it: a message of the catalogue and its
/// parameters, never finished text. `PanelCatalogue` words it in each language; the core decides
/// only what is said, so that every display (LCD, screen process, kiosk page, simulator) says the
/// same thing in the language of the person at the panel.
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
    /// The store refused the pickup's commit.
    case pickupNotRecordable
    /// The store could not count a wrong code (so none is checked).
    case codesUncheckable
    /// A pickup QR code for a parcel that has left the cabinet.
    case parcelGone
    case codeWithdrawn
    case codeAlreadyUsed
    case scanUnreadable
    /// The time high-water mark could not be read, so a signed credential's expiry cannot be checked.
    case credentialUncheckable
    case credentialRefused(CredentialProblem)
    case badgeNamesNoCourier
    case badgeInvalid
    case enterCourierID
    case enterPIN
    case courierRejected
    /// A courier's session is open but quiet: the screen shows nothing of it.
    case courierIdle
    case courierReady(name: String)
    case courierOptions
    case trackingRejected(trackingNumber: String, problem: TrackingNumberProblem)
    case chooseSize(trackingNumber: String, suggested: CompartmentSize, temperatureClass: TemperatureClass)
    /// The latch was pulsed; the door is not yet seen open.
    case depositDoorOpening(label: String)
    case depositDoorOpen(label: String)
    case noCompartment(size: CompartmentSize, temperatureClass: TemperatureClass)
    /// The class has compartments, but none is at its temperature (out of range, faulty probe).
    case noCompartmentAtTemperature(TemperatureClass)
    /// The store is over its budget: no parcel is taken in.
    case storageFull
    case depositNotRecordable
    /// The deposit's commit failed after the door closed with the parcel inside.
    case depositFailed
    case depositCommitted(label: String, code: String)
    case depositAddedToShared(label: String)
    /// A deposit finished with nobody known to be at the panel: no code on the public display.
    case depositRecorded(label: String)
    case depositCancelled(label: String)
    case depositClosedEmpty(label: String)
    /// Nobody can tell what is inside: out of service until a technician looks. `afterCancel`: the
    /// deposit was cancelled but the item sensor sees something; else the deposit was interrupted.
    case doorNeedsInspection(label: String, trackingNumber: String, afterCancel: Bool)
    case doorDidNotOpen(label: String)
    case noOverdueParcels
    case retrievalDoorOpen(label: String, parcels: Int)
    case retrievalDone(label: String)
    case retrievalNotRecorded(label: String)
    /// A batch retrieval starts: the first `labels` of its doors (at most
    /// `CustodyStateMachine.listedBatchLabels`), how many doors and parcels in all.
    case retrievalBatchList(labels: [String], doors: Int, parcels: Int)
    /// One door of a batch was unlocked: its place in the batch and its parcels.
    case retrievalBatchDoorOpen(label: String, parcels: Int, position: Int, doors: Int)
    /// One door of a batch did not open: the batch goes on with the next.
    case retrievalBatchDoorSkipped(label: String)
    /// Every door of the batch was opened or given up on: the parcels in the open doors, and the
    /// first doors that did not open (`notOpenedDoors` in all).
    case retrievalBatchFinished(parcels: Int, opened: Int, notOpened: [String], notOpenedDoors: Int)
    case pleaseCloseDoor(label: String)
    case loggedOut

    public var description: String { text }

    /// The English text (the default language, and what logs and tests read).
    public var text: String { PanelCatalogue.text(self, in: .english).text }

    /// The pickup code this message shows, if any (a screen must never hide or cut it).
    public var pickupCode: String? {
        if case .depositCommitted(_, let code) = self { return code }
        return nil
    }
}
