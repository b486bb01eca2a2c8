import Foundation
@testable import LockerCore
import Testing

/// Every custody transition from tables: the model before, the input, and the change Core
/// decides (rows, events, latch, effects), without a store, a board or a clock.
@Suite struct CustodyStateMachineTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let machine = CustodyStateMachine(
        attemptPolicy: .init(freeAttempts: 3, baseLockoutSeconds: 30, maximumLockoutSeconds: 600), pickupGraceSeconds: 60,
        hasher: PrefixCodeHasher())

    /// A01 (S), A02 (M), A03 (L); A02 holds parcel 7 for r1 under code 111111.
    static func cabinet(pending: PendingOperation? = nil, attemptGuard: CodeAttemptGuard = .init(),
                        parcelStatus: Parcel.Status = .inCustody) -> CabinetModel {
        let compartments = [
            Compartment(id: 0, label: "A01", size: .s),
            Compartment(id: 1, label: "A02", size: .m, state: parcelStatus == .overdue ? .overdue : .occupied),
            Compartment(id: 2, label: "A03", size: .l),
        ]
        let parcel = Parcel(id: 7, trackingNumber: "T7", recipientReference: "r1", size: .xs, temperatureClass: .ambient,
                            compartmentID: 1, courierID: "c1", depositedAt: t0, retentionDeadline: t0.addingTimeInterval(3600),
                            status: parcelStatus)
        return CabinetModel(compartments: compartments, liveParcels: [parcel], codeHashes: [1: "h:111111"],
                            pending: pending.map { [1: $0] } ?? [:], attemptGuard: attemptGuard, nextParcelID: 8)
    }

    /// A door has one last pickup: a second pickup's window on the same door ends the first one's,
    /// so the windows stay as few as the doors even where time does not move (a manual clock).
    @Test func aLaterPickupOnTheSameDoorEndsTheEarlierGraceWindow() {
        var model = Self.cabinet()
        model.setGraceWindow(.init(compartmentID: 0, until: Self.t0.addingTimeInterval(60)), codeHash: "h:222222")
        model.setGraceWindow(.init(compartmentID: 2, until: Self.t0.addingTimeInterval(60)), codeHash: "h:333333")
        model.setGraceWindow(.init(compartmentID: 0, until: Self.t0.addingTimeInterval(90)), codeHash: "h:444444")
        #expect(model.graceWindows.keys.sorted() == ["h:333333", "h:444444"])
        // Marking the current window used keeps it.
        model.setGraceWindow(.init(compartmentID: 0, until: Self.t0.addingTimeInterval(90), reopened: true), codeHash: "h:444444")
        #expect(model.graceWindows["h:444444"]?.reopened == true && model.graceWindows.count == 2)
        #expect(Self.machine.codeEntered(codeHash: "h:222222", in: model, now: Self.t0.addingTimeInterval(10)).latch == nil,
                "the earlier code no longer opens the door")
        #expect(Self.machine.codeEntered(codeHash: "h:333333", in: model, now: Self.t0.addingTimeInterval(10)).latch == 2)
    }

    // MARK: - Deposit

    struct DepositCase: CustomTestStringConvertible, Sendable {
        var name: String
        var size: CompartmentSize
        var recipient: String
        var storageFull = false
        /// The free doors are out of service: only sharing the recipient's door is left.
        var onlySharing = false
        var expectedDoor: Int?
        var expectedEffects: [CustodyEffect]
        var testDescription: String { name }
    }

    static let depositCases: [DepositCase] = [
        DepositCase(name: "a small parcel gets the small free door", size: .s, recipient: "r2", expectedDoor: 0,
                    expectedEffects: [.panel(.depositDoorOpened(compartmentID: 0, label: "A01")), .sound(.confirm)]),
        DepositCase(name: "the recipient's second parcel shares their door", size: .xs, recipient: "r1", onlySharing: true,
                    expectedDoor: 1,
                    expectedEffects: [.panel(.depositDoorOpened(compartmentID: 1, label: "A02")), .sound(.confirm)]),
        DepositCase(name: "another recipient's door is never shared", size: .xs, recipient: "r2", onlySharing: true,
                    expectedDoor: nil,
                    expectedEffects: [.sound(.error), .panel(.depositRefused(.noCompartment(size: .xs, temperatureClass: .ambient)))]),
        DepositCase(name: "nothing fits an XL parcel", size: .xl, recipient: "r2", expectedDoor: nil,
                    expectedEffects: [.sound(.error), .panel(.depositRefused(.noCompartment(size: .xl, temperatureClass: .ambient)))]),
        DepositCase(name: "a full store takes no parcel", size: .s, recipient: "r2", storageFull: true, expectedDoor: nil,
                    expectedEffects: [.sound(.error), .panel(.depositRefused(.storageFull))]),
    ]

    @Test(arguments: depositCases)
    func depositRequested(_ c: DepositCase) {
        var model = Self.cabinet()
        if c.onlySharing {
            let audit = CustodyEvent(.maintenanceAction)
            for id in [0, 2] { model.apply(Self.machine.quarantined(id, reason: "test", audit: audit, in: model)) }
        }
        let intake = ParcelIntake(trackingNumber: "T9", recipientReference: c.recipient, size: c.size)
        let change = Self.machine.depositRequested(intake, courierID: "c1", storageFull: c.storageFull, in: model)
        #expect(change.latch == c.expectedDoor)
        #expect(change.effects == c.expectedEffects)
        guard let door = c.expectedDoor else {
            #expect(!change.writesStore)
            return
        }
        let record = change.compartments.first
        let shared = door == 1
        #expect(record?.compartment.state == (shared ? .occupied : .reserved))
        #expect(record?.compartment.latchCycles == 1)
        #expect(record?.pending == .deposit(intake, courierID: "c1", isShared: shared))
        #expect(change.events.map(\.kind) == [.depositDoorOpened])
        #expect(change.events.first?.payload["shared"] == .bool(shared))
        #expect(change.ifLatchRefused == .releaseDeposit)
    }

    // MARK: - Codes

    struct CodeCase: CustomTestStringConvertible, Sendable {
        var name: String
        var code: String
        var model: CabinetModel
        var expectedLatch: Int?
        var expectedEvents: [CustodyEvent.Kind]
        var expectedEffects: [CustodyEffect]
        var testDescription: String { name }
    }

    static var codeCases: [CodeCase] {
        let lockedOut = CodeAttemptGuard(consecutiveFailures: 3, lockedUntil: t0.addingTimeInterval(30))
        var offline = cabinet()
        offline.setOnline(false, compartmentIDs: [1])
        var grace = cabinet()
        grace.setGraceWindow(.init(compartmentID: 0, until: t0.addingTimeInterval(30)), codeHash: "h:222222")
        return [
            CodeCase(name: "the right code opens its door", code: "111111", model: cabinet(), expectedLatch: 1,
                     expectedEvents: [.pickupDoorOpened], expectedEffects: [.show(.pickupDoorOpen(label: "A02")), .sound(.confirm)]),
            CodeCase(name: "a wrong code is counted", code: "999999", model: cabinet(), expectedLatch: nil, expectedEvents: [],
                     expectedEffects: [.wrongCodeCounted, .sound(.error), .show(.wrongCode(triesLeft: 2))]),
            CodeCase(name: "the third wrong code locks the keypad out", code: "999999",
                     model: cabinet(attemptGuard: .init(consecutiveFailures: 2)), expectedLatch: nil, expectedEvents: [.codeLockout],
                     expectedEffects: [.wrongCodeCounted, .sound(.error), .show(.lockedOut(seconds: 30))]),
            CodeCase(name: "while locked out even the right code is not checked", code: "111111",
                     model: cabinet(attemptGuard: lockedOut), expectedLatch: nil, expectedEvents: [],
                     expectedEffects: [.sound(.error), .show(.lockedOut(seconds: 30))]),
            CodeCase(name: "a door already open for this code says so", code: "111111",
                     model: cabinet(pending: .pickup(parcelIDs: [7], codeHash: "h:111111")), expectedLatch: nil, expectedEvents: [],
                     expectedEffects: [.show(.pickupDoorOpen(label: "A02"))]),
            CodeCase(name: "a door on a silent board is unavailable", code: "111111", model: offline, expectedLatch: nil,
                     expectedEvents: [], expectedEffects: [.show(.doorUnavailable(label: "A02"))]),
            CodeCase(name: "a code just used reopens its empty door once", code: "222222", model: grace, expectedLatch: 0,
                     expectedEvents: [.pickupReopened], expectedEffects: [.show(.pickupDoorOpen(label: "A01"))]),
        ]
    }

    @Test(arguments: codeCases)
    func codeEntered(_ c: CodeCase) {
        let change = Self.machine.codeEntered(codeHash: "h:" + c.code, in: c.model, now: Self.t0)
        #expect(change.latch == c.expectedLatch)
        #expect(change.events.map(\.kind) == c.expectedEvents)
        #expect(change.effects == c.expectedEffects)
    }

    @Test func aWrongCodeIsDurableBeforeTheAnswerAndSaysSoWhenTheStoreRefuses() {
        let change = Self.machine.wrongCode(in: Self.cabinet(), now: Self.t0)
        #expect(change.attemptGuard?.consecutiveFailures == 1)
        #expect(change.ifStoreRefuses == [.wrongCodeCounted, .show(.codesUncheckable)])
    }

    // MARK: - Closed doors

    struct ClosureCase: CustomTestStringConvertible, Sendable {
        var name: String
        var pending: PendingOperation
        var itemPresent: Bool?
        var interrupted: Bool
        var expectedEvents: [CustodyEvent.Kind]
        var expectedState: CompartmentState
        var expectedLiveParcels: Int
        var testDescription: String { name }
    }

    static let intake = ParcelIntake(trackingNumber: "T9", recipientReference: "r1", size: .xs)

    static let closureCases: [ClosureCase] = [
        ClosureCase(name: "a shared deposit closed by its courier commits", pending: .deposit(intake, courierID: "c1", isShared: true),
                    itemPresent: true, interrupted: false, expectedEvents: [.depositCommitted], expectedState: .occupied,
                    expectedLiveParcels: 2),
        ClosureCase(name: "a shared deposit found closed with no sensor is quarantined",
                    pending: .deposit(intake, courierID: "c1", isShared: true), itemPresent: nil, interrupted: true,
                    expectedEvents: [.depositCancelled, .compartmentQuarantined], expectedState: .quarantined, expectedLiveParcels: 1),
        ClosureCase(name: "a cancelled deposit closed releases the door",
                    pending: .cancelledDeposit(intake, courierID: "c1", isShared: true), itemPresent: true, interrupted: false,
                    expectedEvents: [], expectedState: .occupied, expectedLiveParcels: 1),
        ClosureCase(name: "a pickup whose parcel is gone commits", pending: .pickup(parcelIDs: [7], codeHash: "h:111111"),
                    itemPresent: false, interrupted: false, expectedEvents: [.pickupCommitted], expectedState: .available,
                    expectedLiveParcels: 0),
        ClosureCase(name: "a pickup closed on the parcel keeps it", pending: .pickup(parcelIDs: [7], codeHash: "h:111111"),
                    itemPresent: true, interrupted: false, expectedEvents: [.pickupNotTaken], expectedState: .occupied,
                    expectedLiveParcels: 1),
        ClosureCase(name: "an interrupted pickup with no sensor keeps the parcel",
                    pending: .pickup(parcelIDs: [7], codeHash: "h:111111"), itemPresent: nil, interrupted: true,
                    expectedEvents: [.pickupNotTaken], expectedState: .occupied, expectedLiveParcels: 1),
        ClosureCase(name: "a retrieval whose parcels are gone commits", pending: .retrieval(parcelIDs: [7], courierID: "c2"),
                    itemPresent: false, interrupted: false, expectedEvents: [.retrievalCommitted], expectedState: .available,
                    expectedLiveParcels: 0),
        ClosureCase(name: "a retrieval closed on the parcels keeps them", pending: .retrieval(parcelIDs: [7], courierID: "c2"),
                    itemPresent: true, interrupted: false, expectedEvents: [.retrievalNotTaken], expectedState: .occupied,
                    expectedLiveParcels: 1),
    ]

    @Test(arguments: closureCases)
    func pendingDoorClosed(_ c: ClosureCase) throws {
        var model = Self.cabinet(pending: c.pending)
        var generator = SystemRandomNumberGenerator()
        let change = try #require(Self.machine.pendingDoorClosed(
            1, itemPresent: c.itemPresent, interrupted: c.interrupted, courierAtPanel: !c.interrupted, in: model, now: Self.t0,
            issueCode: { intake, shared in
                Self.machine.issueCode(for: intake, compartmentID: 1, shared: shared, in: model, using: &generator)
            }))
        #expect(change.events.map(\.kind) == c.expectedEvents)
        model.apply(change)
        #expect(model.compartments[1].state == c.expectedState)
        #expect(model.pending[1] == nil)
        #expect((model.liveParcels[1] ?? []).count == c.expectedLiveParcels)
        // A shared parcel keeps the door's code; a door emptied gives its code up.
        #expect(model.codeHash(ofCompartment: 1) == (c.expectedLiveParcels > 0 ? "h:111111" : nil))
    }

    @Test func aDepositCommitGivesTheParcelTheNextIdAndShowsTheDrawnCodeOnlyWhenSomeoneIsThere() {
        let model = Self.cabinet()
        for recovered in [false, true] {
            let change = Self.machine.depositCommitted(
                0, intake: Self.intake, courierID: "c1", shared: false, recovered: recovered, code: .drawn(code: "424242", hash: "h:424242"),
                sealedCode: "sealed", in: model, now: Self.t0)
            #expect(change.insertedParcels.map(\.id) == [8])
            #expect(change.compartments.first?.codeHash == "h:424242")
            #expect(change.events.first?.kind == (recovered ? .depositRecovered : .depositCommitted))
            #expect(change.events.first?.parcelID == 8)
            #expect(change.events.first?.payload["sealed_code"] == .string("sealed"))
            #expect(change.effects == [.panel(.depositFinished(recovered ? .depositRecorded(label: "A01")
                                                                          : .depositCommitted(label: "A01", code: "424242")))])
        }
    }

    // MARK: - Latches, boards, technicians, the server

    @Test(arguments: [
        (LatchRefusal.pickupNotTaken, PendingOperation.pickup(parcelIDs: [7], codeHash: "h:111111"), CustodyEvent.Kind.pickupNotTaken),
        (.retrievalNotTaken, .retrieval(parcelIDs: [7], courierID: "c2"), .retrievalNotTaken),
        (.releaseDeposit, .deposit(CustodyStateMachineTests.intake, courierID: "c1", isShared: true), .depositCancelled),
    ])
    func aRefusedLatchUndoesWhatItWasFor(_ refusal: LatchRefusal, _ pending: PendingOperation, _ kind: CustodyEvent.Kind) {
        var model = Self.cabinet(pending: pending)
        let change = Self.machine.latchRefused(refusal, compartmentID: 1, in: model)
        #expect(change.events.map(\.kind) == [kind])
        model.apply(change)
        #expect(model.pending[1] == nil)
        #expect(model.liveParcels[1]?.count == 1)
    }

    @Test func aLatchThatDidNotOpenQuarantinesItsDoor() {
        var model = Self.cabinet(pending: .pickup(parcelIDs: [7], codeHash: "h:111111"))
        let change = Self.machine.latchDidNotOpen(1, in: model)
        #expect(change.events.map(\.kind) == [.latchFailed, .compartmentQuarantined])
        #expect(change.effects == [.sound(.error), .show(.doorUnavailable(label: "A02"))])
        model.apply(change)
        #expect(model.compartments[1].state == .quarantined)
        #expect(model.liveParcels[1]?.count == 1, "the parcel stays in custody")
    }

    @Test(arguments: [(Parcel.Status.inCustody, CompartmentState.occupied), (.overdue, .overdue)])
    func enablingADoorGivesItTheStateItsParcelsSay(_ status: Parcel.Status, _ expected: CompartmentState) {
        var model = Self.cabinet(parcelStatus: status)
        let audit = CustodyEvent(.maintenanceAction, compartmentID: 1)
        model.apply(Self.machine.quarantined(1, reason: "technician t: check", audit: audit, in: model))
        #expect(model.compartments[1].state == .quarantined)
        model.apply(Self.machine.enabled(1, audit: audit, in: model))
        #expect(model.compartments[1].state == expected)
        #expect(model.compartments[1].quarantineReason == nil)
    }

    @Test func anOverdueParcelGivenTimeIsBackInCustody() throws {
        var model = Self.cabinet(parcelStatus: .overdue)
        let change = try #require(Self.machine.retentionExtended(parcelID: 7, bySeconds: 7_200, in: model, now: Self.t0))
        model.apply(change)
        #expect(model.liveParcels[1]?.first?.status == .inCustody)
        #expect(model.liveParcels[1]?.first?.retentionDeadline == Self.t0.addingTimeInterval(3_600 + 7_200))
        #expect(model.compartments[1].state == .occupied)
        #expect(Self.machine.retentionExtended(parcelID: 99, bySeconds: 60, in: model, now: Self.t0) == nil)
    }

    @Test func overdueParcelsAreFlaggedOnceWithTheirDoor() {
        var model = Self.cabinet()
        let changes = Self.machine.overdueFound(in: model, now: Self.t0.addingTimeInterval(3_601))
        #expect(changes.count == 1)
        #expect(changes.first?.events.map(\.kind) == [.parcelOverdue])
        for change in changes { model.apply(change) }
        #expect(model.compartments[1].state == .overdue)
        #expect(Self.machine.overdueFound(in: model, now: Self.t0.addingTimeInterval(7_200)).isEmpty)
    }
}
