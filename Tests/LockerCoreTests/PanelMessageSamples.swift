import LockerCore

/// Every message of the panel's catalogue at least once, with the longest parameters a running
/// cabinet can give it (16-character door labels, 40-character tracking numbers, 12-digit codes)
/// as well as the everyday ones.
enum PanelMessageSamples {
    static let longLabel = "CHILLED-ROW-B-14"  // labels are 1...16 characters
    static let longTracking = String(repeating: "SF", count: 20)  // tracking numbers are 4...40
    static let longCode = "123456789012"  // codes are 4...12 digits

    static let all: [PanelMessage] = everyday + longest

    static let everyday: [PanelMessage] = [
        .welcome, .codeProgress(typed: 3, length: 8), .codeTooShort(length: 8), .notAPickupCode, .wrongCode(triesLeft: 1),
        .wrongCode(triesLeft: 4), .lockedOut(seconds: 30), .lockedOut(seconds: 240), .courierLockedOut(seconds: 45),
        .pickupDoorOpen(label: "A03"), .pickupDone(label: "A03"), .parcelStillInside(label: "A03"),
        .doorUnavailable(label: "A03"), .pickupNotRecordable, .codesUncheckable, .parcelGone, .codeWithdrawn,
        .codeAlreadyUsed, .scanUnreadable, .credentialUncheckable, .credentialRefused(.malformed),
        .credentialRefused(.unknownKey("key-2024")), .credentialRefused(.badSignature),
        .credentialRefused(.otherCabinet("SZ-0042")), .credentialRefused(.expired), .credentialRefused(.wrongKind("courier")),
        .badgeNamesNoCourier, .badgeInvalid, .enterCourierID, .enterPIN, .courierRejected, .courierIdle,
        .courierReady(name: "Ann"), .courierOptions, .trackingRejected(trackingNumber: "123", problem: .tooShort),
        .trackingRejected(trackingNumber: longTracking + "X", problem: .tooLong),
        .trackingRejected(trackingNumber: "JJD_0001", problem: .badCharacters),
        .trackingRejected(trackingNumber: "SF1234567890", problem: .alreadyInside(label: "A03")),
        .trackingRejected(trackingNumber: "SF1234567890", problem: .beingDeposited(label: "A03")),
        .chooseSize(trackingNumber: "SF1234567890", suggested: .s, temperatureClass: .ambient),
        .depositDoorOpening(label: "A03"), .depositDoorOpen(label: "A03"), .noCompartment(size: .xl, temperatureClass: .frozen),
        .noCompartmentAtTemperature(.chilled), .storageFull, .depositNotRecordable, .depositFailed,
        .depositCommitted(label: "A03", code: "97382946"), .depositAddedToShared(label: "A03"), .depositRecorded(label: "A03"),
        .depositCancelled(label: "A03"), .depositClosedEmpty(label: "A03"),
        .doorNeedsInspection(label: "A03", trackingNumber: "SF1234567890", afterCancel: false),
        .doorNeedsInspection(label: "A03", trackingNumber: "SF1234567890", afterCancel: true),
        .doorDidNotOpen(label: "A03"), .noOverdueParcels, .retrievalDoorOpen(label: "A03", parcels: 1),
        .retrievalDoorOpen(label: "A03", parcels: 3), .retrievalDone(label: "A03"), .retrievalNotRecorded(label: "A03"),
        .pleaseCloseDoor(label: "A03"), .loggedOut,
        .retrievalBatchList(labels: ["A01"], doors: 1, parcels: 1),
        .retrievalBatchList(labels: ["A01", "A02", "B07"], doors: 3, parcels: 4),
        .retrievalBatchDoorOpen(label: "A02", parcels: 1, position: 2, doors: 3),
        .retrievalBatchDoorSkipped(label: "A02"),
        .retrievalBatchFinished(parcels: 3, opened: 2, notOpened: ["A02"], notOpenedDoors: 1),
        .retrievalBatchFinished(parcels: 1, opened: 1, notOpened: [], notOpenedDoors: 0),
        .retrievalBatchFinished(parcels: 0, opened: 0, notOpened: ["A02"], notOpenedDoors: 1),
    ]

    static let longest: [PanelMessage] = [
        .codeProgress(typed: 11, length: 12), .codeTooShort(length: 12), .lockedOut(seconds: 1_200),
        .pickupDoorOpen(label: longLabel), .parcelStillInside(label: longLabel), .doorUnavailable(label: longLabel),
        .courierReady(name: "Ann-Kathrin Lee"),
        .chooseSize(trackingNumber: longTracking, suggested: .xl, temperatureClass: .chilled),
        .depositDoorOpening(label: longLabel), .depositDoorOpen(label: longLabel),
        .depositCommitted(label: longLabel, code: longCode), .depositAddedToShared(label: longLabel),
        .doorNeedsInspection(label: longLabel, trackingNumber: longTracking, afterCancel: false),
        .retrievalDoorOpen(label: longLabel, parcels: 12), .retrievalNotRecorded(label: longLabel),
        // A batch lists at most `CustodyStateMachine.listedBatchLabels` labels, whatever the count.
        .retrievalBatchList(labels: Array(repeating: longLabel, count: CustodyStateMachine.listedBatchLabels), doors: 120, parcels: 999),
        .retrievalBatchDoorOpen(label: longLabel, parcels: 12, position: 119, doors: 120),
        .retrievalBatchDoorSkipped(label: longLabel),
        .retrievalBatchFinished(parcels: 999, opened: 117, notOpened: Array(repeating: longLabel, count: CustodyStateMachine.listedBatchLabels),
                                notOpenedDoors: 100),
        .trackingRejected(trackingNumber: longTracking, problem: .alreadyInside(label: longLabel)),
    ]
}
