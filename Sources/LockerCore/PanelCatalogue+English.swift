extension PanelCatalogue {
    /// English, the default: these texts are what the panel has always said (tests and scripts
    /// compare them), so a change here is a change people and scripts notice.
    static func english(_ message: PanelMessage) -> [PanelText.Part] {
        switch message {
        case .welcome:
            return flowing("Type your pickup code or scan your QR code. Couriers: press MENU.")
        case .codeProgress(let typed, let length):
            return flowing("Code: " + String(repeating: "*", count: typed) + String(repeating: "_", count: max(0, length - typed)))
        case .codeTooShort(let length):
            return flowing("A pickup code has \(length) digits. Please type it again.")
        case .notAPickupCode:
            return flowing("This is not a pickup code. Type your code or scan your pickup QR code.")
        case .wrongCode(let triesLeft):
            return flowing("Wrong code, \(triesLeft) \(triesLeft == 1 ? "try" : "tries") left.")
        case .lockedOut(let seconds):
            // The truth, and the ways that still work: nobody with a QR code or a courier login
            // is kept out by a keypad lockout.
            return flowing("Keypad locked for \(englishWait(seconds)). QR codes and couriers still work.")
        case .courierLockedOut(let seconds):
            return flowing("Too many wrong PINs for this courier ID. Try again in \(englishWait(seconds)).")
        case .pickupDoorOpen(let label):
            return flowing("Door \(label) is open. Take your parcel and close the door.")
        case .pickupDone(let label):
            return flowing("Thank you. Door \(label) is closed.")
        case .parcelStillInside(let label):
            return flowing("Your parcel is still in \(label). Type your code again to reopen the door.")
        case .doorUnavailable(let label):
            return flowing("Door \(label) cannot be opened right now. Please see staff.")
        case .pickupNotRecordable:
            return flowing("The cabinet cannot record this pickup right now. Please see staff.")
        case .codesUncheckable:
            return flowing("The cabinet cannot check codes right now. Please see staff.")
        case .parcelGone:
            return flowing("This parcel is no longer in the cabinet.")
        case .codeWithdrawn:
            return flowing("This code was withdrawn. Please contact the sender.")
        case .codeAlreadyUsed:
            return flowing("This code was already used.")
        case .scanUnreadable:
            return flowing("The scan could not be read. Please scan again.")
        case .credentialUncheckable:
            return flowing("The cabinet cannot check this code right now. Please see staff.")
        case .credentialRefused(let problem):
            let reason = switch problem {
            case .malformed: "not a credential this cabinet can read"
            case .unknownKey(let key): "signed with key \"\(key)\", which this cabinet does not trust"
            case .badSignature: "the signature does not verify"
            case .otherCabinet(let cabinet): "issued for cabinet \"\(cabinet)\""
            case .expired: "expired"
            case .wrongKind(let kind): "a \(kind) credential cannot be used here"
            }
            return flowing("This code cannot be used here: \(reason).")
        case .badgeNamesNoCourier:
            return flowing("This badge names no courier.")
        case .badgeInvalid:
            return flowing("This badge is not valid here.")
        case .enterCourierID:
            return flowing("Courier: type your courier ID, then ENTER.")
        case .enterPIN:
            return flowing("Type your PIN, then ENTER.")
        case .courierIdle:
            return flowing("Courier session open. Press a key to continue.")
        case .courierRejected:
            return flowing("Courier ID or PIN not recognised.")
        case .courierReady(let name):
            return flowing("Hello \(name). Scan a parcel or key its number and ENTER. ENTER alone: options.")
        case .courierOptions:
            return flowing("1 retrieve next overdue door, 3 retrieve all overdue, 2 log out, CLEAR back.")
        case .trackingRejected(let trackingNumber, let problem):
            return flowing("Cannot accept this parcel: \(englishReason(trackingNumber, problem)).")
        case .chooseSize(let tracking, let suggested, let temperatureClass):
            return flowing("Parcel \(tracking) (\(temperatureClass)): size 1 XS 2 S 3 M 4 L 5 XL, ENTER = \(suggested). "
                + "Class: 0 ambient 6 chilled 7 frozen 8 heated. CLEAR cancels.")
        case .depositDoorOpening(let label):
            return flowing("Opening \(label)... 2 door did not open, CLEAR cancel.")
        case .depositDoorOpen(let label):
            return flowing("Door \(label) is open. Put the parcel in and close the door. 1 larger door, 2 door did not open, CLEAR cancel.")
        case .noCompartment(let size, let temperatureClass):
            return flowing("No free \(temperatureClass) compartment of size \(size) or larger. Nothing was deposited.")
        case .noCompartmentAtTemperature(let temperatureClass):
            return flowing("No \(temperatureClass) compartment is at its temperature right now, so this parcel cannot be taken. Nothing was deposited.")
        case .storageFull:
            return flowing("This cabinet cannot take parcels right now (its storage is full). Pickups still work.")
        case .depositNotRecordable:
            return flowing("The cabinet cannot record a deposit right now. Please see staff.")
        case .depositFailed:
            return flowing("The deposit could not be recorded. Please take the parcel back and see staff.")
        case .depositCommitted(let label, let code):
            return [PanelText.Part("Deposited in \(label). Pickup code"), PanelText.Part(code, ownLine: true, trailing: "."),
                    PanelText.Part("Scan the next parcel.")]
        case .depositAddedToShared(let label):
            return flowing("Deposited in \(label) with the same recipient's other parcels: their pickup code opens it. Scan the next parcel.")
        case .depositRecorded(let label):
            return flowing("Deposit in \(label) recorded.")
        case .depositCancelled(let label):
            return flowing("Deposit cancelled. Please close door \(label).")
        case .depositClosedEmpty(let label):
            return flowing("Door \(label) closed with no parcel inside: deposit cancelled.")
        case .doorNeedsInspection(let label, let trackingNumber, let afterCancel):
            return flowing(afterCancel
                ? "Door \(label) is out of service: deposit of \(trackingNumber) was cancelled but something is inside."
                : "Door \(label) is out of service: interrupted deposit of \(trackingNumber): check whether the parcel is inside.")
        case .doorDidNotOpen(let label):
            return flowing("Door \(label) did not open; it is taken out of service.")
        case .noOverdueParcels:
            return flowing("No overdue parcels to retrieve.")
        case .retrievalDoorOpen(let label, let parcels):
            return flowing("Door \(label) is open: take the \(parcels) overdue parcel\(parcels == 1 ? "" : "s") and close the door.")
        case .retrievalDone(let label):
            return flowing("Retrieval from \(label) recorded.")
        case .retrievalNotRecorded(let label):
            return flowing("The overdue parcels are still in \(label); retrieval not recorded.")
        case .retrievalBatchList(let labels, let doors, let parcels):
            return flowing("Retrieving \(englishCount(parcels, "overdue parcel")) from \(englishCount(doors, "door")), one door at a time: "
                + englishList(labels, of: doors) + ".")
        case .retrievalBatchDoorOpen(let label, let parcels, let position, let doors):
            return flowing("Door \(label) is open (\(position) of \(doors)): take the \(englishCount(parcels, "overdue parcel")).")
        case .retrievalBatchDoorSkipped(let label):
            return flowing("Door \(label) did not open; going on with the next door.")
        case .retrievalBatchFinished(let parcels, let opened, let notOpened, let notOpenedDoors):
            let taken = opened == 0 ? "No door opened."
                : "All doors done: take the \(englishCount(parcels, "overdue parcel")) from \(englishCount(opened, "open door")) "
                    + "and close each door."
            return flowing(taken + (notOpened.isEmpty ? "" : " Not opened: " + englishList(notOpened, of: notOpenedDoors) + "."))
        case .pleaseCloseDoor(let label):
            return flowing("Please close door \(label).")
        case .loggedOut:
            return flowing("Courier logged out.")
        }
    }

    static func englishReason(_ trackingNumber: String, _ problem: TrackingNumberProblem) -> String {
        switch problem {
        case .tooShort: "tracking number \"\(trackingNumber)\" is shorter than 4 characters"
        case .tooLong: "tracking number is longer than 40 characters"
        case .badCharacters: "tracking number \"\(trackingNumber)\" has characters other than letters, digits and -"
        case .alreadyInside(let label): "parcel \(trackingNumber) is already in \(label)"
        case .beingDeposited(let label): "parcel \(trackingNumber) is being deposited in \(label)"
        }
    }

    /// "1 door", "3 doors".
    static func englishCount(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// Door labels as listed on the panel ("A01 A02 A03"), with how many more are not listed.
    static func englishList(_ labels: [String], of total: Int) -> String {
        labels.joined(separator: " ") + (total > labels.count ? " +\(total - labels.count) more" : "")
    }

    /// "40 s" under a minute, else whole minutes rounded up ("4 min").
    static func englishWait(_ seconds: Int) -> String {
        seconds < 60 ? "\(seconds) s" : "\((seconds + 59) / 60) min"
    }
}
