extension PanelMessage {
    /// The message's catalogue id.
    public var id: PanelMessageID {
        switch self {
        case .welcome: .welcome
        case .codeProgress: .codeProgress
        case .codeTooShort: .codeTooShort
        case .notAPickupCode: .notAPickupCode
        case .wrongCode: .wrongCode
        case .lockedOut: .lockedOut
        case .courierLockedOut: .courierLockedOut
        case .pickupDoorOpen: .pickupDoorOpen
        case .pickupDone: .pickupDone
        case .parcelStillInside: .parcelStillInside
        case .doorUnavailable: .doorUnavailable
        case .pickupNotRecordable: .pickupNotRecordable
        case .codesUncheckable: .codesUncheckable
        case .parcelGone: .parcelGone
        case .codeWithdrawn: .codeWithdrawn
        case .codeAlreadyUsed: .codeAlreadyUsed
        case .scanUnreadable: .scanUnreadable
        case .credentialUncheckable: .credentialUncheckable
        case .credentialRefused(let problem):
            switch problem {
            case .malformed: .credentialMalformed
            case .unknownKey: .credentialUnknownKey
            case .badSignature: .credentialBadSignature
            case .otherCabinet: .credentialOtherCabinet
            case .expired: .credentialExpired
            case .wrongKind: .credentialWrongKind
            }
        case .badgeNamesNoCourier: .badgeNamesNoCourier
        case .badgeInvalid: .badgeInvalid
        case .enterCourierID: .enterCourierID
        case .enterPIN: .enterPIN
        case .courierRejected: .courierRejected
        case .courierIdle: .courierIdle
        case .courierReady: .courierReady
        case .courierOptions: .courierOptions
        case .trackingRejected(_, let problem):
            switch problem {
            case .tooShort: .trackingTooShort
            case .tooLong: .trackingTooLong
            case .badCharacters: .trackingBadCharacters
            case .alreadyInside: .parcelAlreadyInside
            case .beingDeposited: .parcelBeingDeposited
            }
        case .chooseSize: .chooseSize
        case .depositDoorOpening: .depositDoorOpening
        case .depositDoorOpen: .depositDoorOpen
        case .noCompartment: .noCompartment
        case .noCompartmentAtTemperature: .noCompartmentAtTemperature
        case .storageFull: .storageFull
        case .depositNotRecordable: .depositNotRecordable
        case .depositFailed: .depositFailed
        case .depositCommitted: .depositCommitted
        case .depositAddedToShared: .depositAddedToShared
        case .depositRecorded: .depositRecorded
        case .depositCancelled: .depositCancelled
        case .depositClosedEmpty: .depositClosedEmpty
        case .doorNeedsInspection(_, _, let afterCancel): afterCancel ? .doorNeedsInspectionAfterCancel : .doorNeedsInspectionInterrupted
        case .doorDidNotOpen: .doorDidNotOpen
        case .noOverdueParcels: .noOverdueParcels
        case .retrievalDoorOpen: .retrievalDoorOpen
        case .retrievalDone: .retrievalDone
        case .retrievalNotRecorded: .retrievalNotRecorded
        case .retrievalBatchList: .retrievalBatchList
        case .retrievalBatchDoorOpen: .retrievalBatchDoorOpen
        case .retrievalBatchDoorSkipped: .retrievalBatchDoorSkipped
        case .retrievalBatchFinished: .retrievalBatchFinished
        case .pleaseCloseDoor: .pleaseCloseDoor
        case .loggedOut: .loggedOut
        }
    }

    /// The message's parameters by name, as a screen process or the kiosk page receives them
    /// (sizes and classes by their configuration names: "S", "chilled").
    public var arguments: [String: String] {
        switch self {
        case .welcome, .notAPickupCode, .pickupNotRecordable, .codesUncheckable, .parcelGone, .codeWithdrawn,
             .codeAlreadyUsed, .scanUnreadable, .credentialUncheckable, .badgeNamesNoCourier, .badgeInvalid,
             .enterCourierID, .enterPIN, .courierRejected, .courierIdle, .courierOptions, .storageFull,
             .depositNotRecordable, .depositFailed, .noOverdueParcels, .loggedOut:
            return [:]
        case .codeProgress(let typed, let length): return ["typed": "\(typed)", "length": "\(length)"]
        case .codeTooShort(let length): return ["length": "\(length)"]
        case .wrongCode(let triesLeft): return ["tries_left": "\(triesLeft)"]
        case .lockedOut(let seconds), .courierLockedOut(let seconds): return ["seconds": "\(seconds)"]
        case .pickupDoorOpen(let label), .pickupDone(let label), .parcelStillInside(let label), .doorUnavailable(let label),
             .depositDoorOpening(let label), .depositDoorOpen(let label), .depositAddedToShared(let label),
             .depositRecorded(let label), .depositCancelled(let label), .depositClosedEmpty(let label),
             .doorDidNotOpen(let label), .retrievalDone(let label), .retrievalNotRecorded(let label),
             .retrievalBatchDoorSkipped(let label), .pleaseCloseDoor(let label):
            return ["label": label]
        case .credentialRefused(let problem):
            switch problem {
            case .unknownKey(let key): return ["key": key]
            case .otherCabinet(let cabinet): return ["cabinet": cabinet]
            case .wrongKind(let kind): return ["kind": kind]
            case .malformed, .badSignature, .expired: return [:]
            }
        case .courierReady(let name): return ["name": name]
        case .trackingRejected(let trackingNumber, let problem):
            switch problem {
            case .alreadyInside(let label), .beingDeposited(let label): return ["tracking_number": trackingNumber, "label": label]
            case .tooShort, .tooLong, .badCharacters: return ["tracking_number": trackingNumber]
            }
        case .chooseSize(let trackingNumber, let suggested, let temperatureClass):
            return ["tracking_number": trackingNumber, "suggested_size": suggested.description,
                    "temperature_class": temperatureClass.description]
        case .noCompartment(let size, let temperatureClass):
            return ["size": size.description, "temperature_class": temperatureClass.description]
        case .noCompartmentAtTemperature(let temperatureClass): return ["temperature_class": temperatureClass.description]
        case .depositCommitted(let label, let code): return ["label": label, "code": code]
        case .doorNeedsInspection(let label, let trackingNumber, _): return ["label": label, "tracking_number": trackingNumber]
        case .retrievalDoorOpen(let label, let parcels): return ["label": label, "parcels": "\(parcels)"]
        // Lists of door labels are given as the display shows them: separated by spaces.
        case .retrievalBatchList(let labels, let doors, let parcels):
            return ["labels": labels.joined(separator: " "), "doors": "\(doors)", "parcels": "\(parcels)"]
        case .retrievalBatchDoorOpen(let label, let parcels, let position, let doors):
            return ["label": label, "parcels": "\(parcels)", "position": "\(position)", "doors": "\(doors)"]
        case .retrievalBatchFinished(let parcels, let opened, let notOpened, let notOpenedDoors):
            return ["parcels": "\(parcels)", "opened": "\(opened)", "not_opened": notOpened.joined(separator: " "),
                    "not_opened_doors": "\(notOpenedDoors)"]
        }
    }
}
