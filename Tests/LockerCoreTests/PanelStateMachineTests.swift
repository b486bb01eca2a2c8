import Foundation
import LockerCore
import Testing

/// A fixed instant, so no test depends on the machine's clock.
private let t0 = Date(timeIntervalSince1970: 1_700_000_000)
private let dana = Courier(id: "4711", name: "Dana", carrier: "Parcel Post")
private let suggestedIntake = ParcelIntake(trackingNumber: "JJD000123", recipientReference: "r-1001", size: .m)

/// Turns a key script into keys: words "enter", "clear", "back", "menu"; any other word is a run
/// of digits, one key each ("1234 enter" is five keys).
private func keys(_ script: String) -> [KeypadKey] {
    script.split(separator: " ").flatMap { word -> [KeypadKey] in
        switch word {
        case "enter": return [.enter]
        case "clear": return [.clear]
        case "back": return [.back]
        case "menu": return [.menu]
        default: return word.map { KeypadKey.digit(UInt8(String($0))!) }
        }
    }
}

extension PanelStateMachine {
    /// Presses every key of `script` at `now` and returns the actions of the last key.
    @discardableResult
    fileprivate mutating func press(_ script: String, at now: Date = t0) -> [PanelAction] {
        var last: [PanelAction] = []
        for key in keys(script) { last = keyPressed(key, now: now) }
        return last
    }

    /// Presses every key of `script` at `now` and returns all actions, in order.
    fileprivate mutating func pressCollecting(_ script: String, at now: Date = t0) -> [PanelAction] {
        keys(script).flatMap { keyPressed($0, now: now) }
    }
}

/// The panel in each state a test may start from, every input given at `t0`.
enum PanelStart: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case idle
    case idleHalfTyped
    case courierID
    case courierPIN
    case courierReady
    case courierOptions
    case choosingSize
    case depositDoorOpen

    var testDescription: String { rawValue }

    func make(codeLength: Int = 6) -> PanelStateMachine {
        var panel = PanelStateMachine(codePolicy: PickupCodePolicy(length: codeLength))
        switch self {
        case .idle:
            break
        case .idleHalfTyped:
            panel.press("12")
        case .courierID:
            panel.press("menu 4711")
        case .courierPIN:
            panel.press("menu 4711 enter 98")
        case .courierReady:
            panel.press("menu 4711 enter 9876 enter")
            _ = panel.courierAuthenticated(dana, now: t0)
        case .courierOptions:
            panel = PanelStart.courierReady.make(codeLength: codeLength)
            panel.press("enter")
        case .choosingSize:
            panel = PanelStart.courierReady.make(codeLength: codeLength)
            panel.press("9")  // a half-typed tracking number, then the scan of the real one
            _ = panel.scanned(suggestedIntake.trackingNumber, now: t0)
            _ = panel.parcelIdentified(suggestedIntake)
        case .depositDoorOpen:
            panel = PanelStart.choosingSize.make(codeLength: codeLength)
            panel.press("enter")
            _ = panel.depositDoorOpened(compartmentID: 3, label: "A04")
        }
        return panel
    }
}

@Suite("Front panel state machine")
struct PanelStateMachineTests {
    // MARK: - Starting states

    @Test func startingStatesAreTheOnesTheScriptsClaim() {
        #expect(PanelStart.idle.make().state == .idle(typed: ""))
        #expect(PanelStart.idle.make().lastInputAt == nil)
        #expect(PanelStart.idleHalfTyped.make().state == .idle(typed: "12"))
        #expect(PanelStart.courierID.make().state == .courierID(typed: "4711"))
        #expect(PanelStart.courierPIN.make().state == .courierPIN(courierID: "4711", typed: "98"))
        #expect(PanelStart.courierReady.make().state == .courierReady(dana, typed: ""))
        #expect(PanelStart.courierOptions.make().state == .courierOptions(dana))
        #expect(PanelStart.choosingSize.make().state == .choosingSize(dana, suggestedIntake))
        #expect(PanelStart.depositDoorOpen.make().state
            == .depositDoorOpen(dana, suggestedIntake, compartmentID: 3, label: "A04"))
    }

    // MARK: - Pickup codes

    struct CodeEntryCase: Sendable, CustomTestStringConvertible {
        var keys: String
        var state: PanelStateMachine.State
        var lastActions: [PanelAction]
        var testDescription: String { "\"\(keys)\"" }
    }

    @Test(arguments: [
        CodeEntryCase(keys: "1", state: .idle(typed: "1"), lastActions: [.show(.codeProgress(typed: 1, length: 6))]),
        CodeEntryCase(keys: "12345", state: .idle(typed: "12345"),
                      lastActions: [.show(.codeProgress(typed: 5, length: 6))]),
        CodeEntryCase(keys: "123 back", state: .idle(typed: "12"),
                      lastActions: [.show(.codeProgress(typed: 2, length: 6))]),
        CodeEntryCase(keys: "12 back back back 7", state: .idle(typed: "7"),
                      lastActions: [.show(.codeProgress(typed: 1, length: 6))]),
        CodeEntryCase(keys: "back", state: .idle(typed: ""), lastActions: [.show(.codeProgress(typed: 0, length: 6))]),
        CodeEntryCase(keys: "123 clear", state: .idle(typed: ""), lastActions: [.show(.welcome)]),
        // The last digit attempts the pickup at once: no ENTER on the hot path.
        CodeEntryCase(keys: "123456", state: .idle(typed: ""), lastActions: [.attemptPickup(code: "123456")]),
        CodeEntryCase(keys: "000000", state: .idle(typed: ""), lastActions: [.attemptPickup(code: "000000")]),
        CodeEntryCase(keys: "12 back 3456 back 78", state: .idle(typed: ""),
                      lastActions: [.attemptPickup(code: "134578")]),
        // ENTER before the code is complete is refused and the half code is dropped.
        CodeEntryCase(keys: "123 enter", state: .idle(typed: ""), lastActions: [.show(.codeTooShort(length: 6))]),
        CodeEntryCase(keys: "12345 enter", state: .idle(typed: ""), lastActions: [.show(.codeTooShort(length: 6))]),
        CodeEntryCase(keys: "enter", state: .idle(typed: ""), lastActions: [.show(.welcome)]),
        CodeEntryCase(keys: "1 back enter", state: .idle(typed: ""), lastActions: [.show(.welcome)]),
        // MENU switches to the courier login and drops a half-typed code.
        CodeEntryCase(keys: "123 menu", state: .courierID(typed: ""), lastActions: [.show(.enterCourierID)]),
    ])
    func pickupCodeEntry(_ entry: CodeEntryCase) {
        var panel = PanelStateMachine(codePolicy: PickupCodePolicy(length: 6))
        let actions = panel.press(entry.keys)
        #expect(actions == entry.lastActions)
        #expect(panel.state == entry.state)
        #expect(panel.lastInputAt == t0)
    }

    @Test(arguments: [4, 6, 8, 12])
    func theLastDigitOfACodeOfAnyLengthAttemptsThePickup(length: Int) {
        var panel = PanelStateMachine(codePolicy: PickupCodePolicy(length: length))
        let digits = (0..<length).map { String($0 % 10) }.joined()
        let actions = panel.pressCollecting(digits)
        let progress = (1..<length).map { PanelAction.show(.codeProgress(typed: $0, length: length)) }
        #expect(actions == progress + [.attemptPickup(code: digits)])
        #expect(panel.state == .idle(typed: ""))
    }

    @Test func aNewCodeCanBeTypedRightAfterAnAttempt() {
        var panel = PanelStateMachine(codePolicy: PickupCodePolicy(length: 6))
        #expect(panel.press("111111") == [.attemptPickup(code: "111111")])
        #expect(panel.press("222222") == [.attemptPickup(code: "222222")])
    }

    @Test(arguments: [
        ("123456", [PanelAction.attemptPickup(code: "123456")]),
        ("000042", [.attemptPickup(code: "000042")]),
        ("12345", [.show(.notAPickupCode)]),
        ("1234567", [.show(.notAPickupCode)]),
        ("12345a", [.show(.notAPickupCode)]),
        ("12 456", [.show(.notAPickupCode)]),
        ("", [.show(.notAPickupCode)]),
        ("https://example.com/p/123456", [.show(.notAPickupCode)]),
        ("\u{FF11}\u{FF12}\u{FF13}\u{FF14}\u{FF15}\u{FF16}", [.show(.notAPickupCode)]),  // full-width digits
        ("JJD000123", [.show(.notAPickupCode)]),
    ])
    func scanInIdle(text: String, expected: [PanelAction]) {
        var panel = PanelStart.idleHalfTyped.make()
        #expect(panel.scanned(text, now: t0.addingTimeInterval(3)) == expected)
        // A scan, accepted or not, drops whatever was half typed.
        #expect(panel.state == .idle(typed: ""))
        #expect(panel.lastInputAt == t0.addingTimeInterval(3))
    }

    @Test(arguments: [PanelStart.courierID, .courierPIN, .courierOptions, .choosingSize, .depositDoorOpen])
    func scansInTheMiddleOfAnotherStepAreIgnored(start: PanelStart) {
        var panel = start.make()
        let before = panel.state
        #expect(panel.scanned("123456", now: t0).isEmpty)
        #expect(panel.scanned("JJD000999", now: t0).isEmpty)
        #expect(panel.state == before)
    }

    // MARK: - Courier login

    struct LoginCase: Sendable, CustomTestStringConvertible {
        var keys: String
        var state: PanelStateMachine.State
        var lastActions: [PanelAction]
        var testDescription: String { "\"\(keys)\"" }
    }

    @Test(arguments: [
        LoginCase(keys: "menu", state: .courierID(typed: ""), lastActions: [.show(.enterCourierID)]),
        LoginCase(keys: "menu 4711", state: .courierID(typed: "4711"), lastActions: []),
        LoginCase(keys: "menu 4712 back 1", state: .courierID(typed: "4711"), lastActions: []),
        LoginCase(keys: "menu 12345678901234567890", state: .courierID(typed: "1234567890123456"), lastActions: []),
        LoginCase(keys: "menu enter", state: .courierID(typed: ""), lastActions: []),
        LoginCase(keys: "menu 4711 enter", state: .courierPIN(courierID: "4711", typed: ""),
                  lastActions: [.show(.enterPIN)]),
        LoginCase(keys: "menu 4711 enter 98", state: .courierPIN(courierID: "4711", typed: "98"), lastActions: []),
        LoginCase(keys: "menu 4711 enter 9876 enter", state: .courierPIN(courierID: "4711", typed: "9876"),
                  lastActions: [.authenticateCourier(id: "4711", pin: "9876")]),
        LoginCase(keys: "menu 4711 enter 98765 back enter", state: .courierPIN(courierID: "4711", typed: "9876"),
                  lastActions: [.authenticateCourier(id: "4711", pin: "9876")]),
        LoginCase(keys: "menu 4711 clear", state: .idle(typed: ""), lastActions: [.show(.welcome)]),
        LoginCase(keys: "menu 4711 menu", state: .idle(typed: ""), lastActions: [.show(.welcome)]),
        LoginCase(keys: "menu 4711 enter 98 clear", state: .idle(typed: ""), lastActions: [.show(.welcome)]),
        LoginCase(keys: "menu 4711 enter 98 menu", state: .idle(typed: ""), lastActions: [.show(.welcome)]),
    ])
    func courierLoginKeys(_ login: LoginCase) {
        var panel = PanelStateMachine()
        #expect(panel.press(login.keys) == login.lastActions)
        #expect(panel.state == login.state)
    }

    @Test func rejectedCourierGoesBackToIdle() {
        var panel = PanelStart.courierPIN.make()
        #expect(panel.courierAuthenticated(nil, now: t0) == [.show(.courierRejected)])
        #expect(panel.state == .idle(typed: ""))
        // The keypad works for residents again at once.
        #expect(panel.press("123456") == [.attemptPickup(code: "123456")])
    }

    @Test func acceptedCourierIsReadyForParcels() {
        var panel = PanelStart.courierPIN.make()
        let later = t0.addingTimeInterval(2)
        #expect(panel.courierAuthenticated(dana, now: later) == [.show(.courierReady(name: "Dana"))])
        #expect(panel.state == .courierReady(dana, typed: ""))
        #expect(panel.lastInputAt == later)
    }

    @Test(arguments: [PanelStart.idle, .idleHalfTyped, .courierID, .courierReady, .courierOptions, .choosingSize,
                      .depositDoorOpen])
    func authenticationOutcomesOutsideThePINStepAreIgnored(start: PanelStart) {
        var panel = start.make()
        let before = panel.state
        #expect(panel.courierAuthenticated(dana, now: t0).isEmpty)
        #expect(panel.courierAuthenticated(nil, now: t0).isEmpty)
        #expect(panel.state == before)
    }

    // MARK: - Courier options

    @Test(arguments: [
        ("enter", PanelStateMachine.State.courierOptions(dana), [PanelAction.show(.courierOptions)]),
        ("enter 1", .courierReady(dana, typed: ""), [.retrieveOverdue(courier: dana)]),
        ("enter 3", .courierReady(dana, typed: ""), [.retrieveAllOverdue(courier: dana)]),
        ("enter 2", .idle(typed: ""), [.show(.loggedOut), .show(.welcome)]),
        ("enter menu", .idle(typed: ""), [.show(.loggedOut), .show(.welcome)]),
        ("enter clear", .courierReady(dana, typed: ""), [.show(.courierReady(name: "Dana"))]),
        ("enter back", .courierReady(dana, typed: ""), [.show(.courierReady(name: "Dana"))]),
        ("enter 5", .courierOptions(dana), [.show(.courierOptions)]),
        ("enter enter", .courierOptions(dana), [.show(.courierOptions)]),
        // MENU while ready logs out; CLEAR drops a half-typed tracking number.
        ("menu", .idle(typed: ""), [.show(.loggedOut), .show(.welcome)]),
        ("123 clear", .courierReady(dana, typed: ""), [.show(.courierReady(name: "Dana"))]),
        ("123 back", .courierReady(dana, typed: "12"), []),
    ])
    func courierOptions(keys: String, state: PanelStateMachine.State, lastActions: [PanelAction]) {
        var panel = PanelStart.courierReady.make()
        #expect(panel.press(keys) == lastActions)
        #expect(panel.state == state)
    }

    // MARK: - Parcel entry

    @Test(arguments: [
        ("JJD000123", true),
        ("1Z999AA10123456784", true),
        ("ABCD", true),
        ("AB-12-CD", true),
        (String(repeating: "7", count: 40), true),
        ("ABC", false),
        ("", false),
        ("JJD 000123", false),
        ("https://example.com/parcel", false),
        ("PAKET-ÄÖÜ", false),
        (String(repeating: "7", count: 41), false),
    ])
    func scannedTrackingNumber(text: String, isAccepted: Bool) throws {
        var panel = PanelStart.courierReady.make()
        panel.press("42")  // a half-typed number the scan replaces
        let actions = panel.scanned(text, now: t0.addingTimeInterval(1))
        if isAccepted {
            #expect(actions == [.identifyParcel(trackingNumber: text, courier: dana)])
        } else {
            let problem = try #require(TrackingNumberProblem.of(text))
            #expect(actions == [.show(.trackingRejected(trackingNumber: text, problem: problem))])
        }
        #expect(panel.state == .courierReady(dana, typed: ""))
    }

    @Test(arguments: [
        ("1234 enter", [PanelAction.identifyParcel(trackingNumber: "1234", courier: dana)]),
        ("123456789012 enter", [.identifyParcel(trackingNumber: "123456789012", courier: dana)]),
        ("12345 back enter", [.identifyParcel(trackingNumber: "1234", courier: dana)]),
        ("123 enter", [.show(.trackingRejected(trackingNumber: "123", problem: .tooShort))]),
        ("1 enter", [.show(.trackingRejected(trackingNumber: "1", problem: .tooShort))]),
        // Keyed numbers stop growing at 40 digits, so they are never refused as too long.
        (String(repeating: "8", count: 45) + " enter",
         [.identifyParcel(trackingNumber: String(repeating: "8", count: 40), courier: dana)]),
    ])
    func keyedTrackingNumber(keys: String, expected: [PanelAction]) {
        var panel = PanelStart.courierReady.make()
        #expect(panel.press(keys) == expected)
        #expect(panel.state == .courierReady(dana, typed: ""))
    }

    @Test func identifiedParcelAsksForTheSize() {
        var panel = PanelStart.courierReady.make()
        let chilled = ParcelIntake(trackingNumber: "JJD000777", size: .s, temperatureClass: .chilled)
        #expect(panel.parcelIdentified(chilled)
            == [.show(.chooseSize(trackingNumber: "JJD000777", suggested: .s, temperatureClass: .chilled))])
        #expect(panel.state == .choosingSize(dana, chilled))
    }

    @Test(arguments: [PanelStart.idle, .courierID, .courierPIN, .courierOptions, .choosingSize, .depositDoorOpen])
    func identifiedParcelOutsideCourierReadyIsIgnored(start: PanelStart) {
        var panel = start.make()
        let before = panel.state
        #expect(panel.parcelIdentified(suggestedIntake).isEmpty)
        #expect(panel.state == before)
    }

    // MARK: - Size and temperature class

    @Test(arguments: [
        (KeypadKey.digit(1), CompartmentSize.xs),
        (.digit(2), .s),
        (.digit(3), .m),
        (.digit(4), .l),
        (.digit(5), .xl),
        (.enter, .m),  // ENTER keeps the suggestion
    ])
    func sizeKeysDepositWithTheChosenSize(key: KeypadKey, size: CompartmentSize) {
        var panel = PanelStart.choosingSize.make()
        var expected = suggestedIntake
        expected.size = size
        #expect(panel.keyPressed(key, now: t0) == [.depositParcel(expected, courier: dana)])
        #expect(panel.state == .choosingSize(dana, expected), "the chosen size is kept while the door opens")
    }

    @Test(arguments: [
        (UInt8(0), TemperatureClass.ambient),
        (6, .chilled),
        (7, .frozen),
        (8, .heated),
    ])
    func classKeysChangeTheTemperatureClass(digit: UInt8, temperatureClass: TemperatureClass) {
        var panel = PanelStart.choosingSize.make()
        _ = panel.keyPressed(.digit(6), now: t0)  // start from chilled so that 0 visibly changes it back
        var expected = suggestedIntake
        expected.temperatureClass = temperatureClass
        #expect(panel.keyPressed(.digit(digit), now: t0)
            == [.show(.chooseSize(trackingNumber: "JJD000123", suggested: .m, temperatureClass: temperatureClass))])
        #expect(panel.state == .choosingSize(dana, expected))
        // The deposit then asks for a compartment of that class.
        #expect(panel.keyPressed(.enter, now: t0) == [.depositParcel(expected, courier: dana)])
    }

    @Test(arguments: [KeypadKey.clear, .back, .menu])
    func leavingSizeChoiceGoesBackToScanning(key: KeypadKey) {
        var panel = PanelStart.choosingSize.make()
        #expect(panel.keyPressed(key, now: t0) == [.show(.courierReady(name: "Dana"))])
        #expect(panel.state == .courierReady(dana, typed: ""))
    }

    @Test func nineDoesNothingWhileChoosingTheSize() {
        var panel = PanelStart.choosingSize.make()
        #expect(panel.keyPressed(.digit(9), now: t0).isEmpty)
        #expect(panel.state == .choosingSize(dana, suggestedIntake))
    }

    // MARK: - Deposit door open

    @Test(arguments: [
        (KeypadKey.digit(1), [PanelAction.requestLargerDoor(compartmentID: 3)]),
        (.digit(2), [.reportDoorDidNotOpen(compartmentID: 3)]),
        (.clear, [.cancelDeposit(compartmentID: 3)]),
        (.digit(3), []),
        (.digit(0), []),
        (.enter, []),
        (.back, []),
        (.menu, []),  // no logging out with a door open
    ])
    func keysWhileTheDepositDoorIsOpen(key: KeypadKey, expected: [PanelAction]) {
        var panel = PanelStart.depositDoorOpen.make()
        #expect(panel.keyPressed(key, now: t0) == expected)
        #expect(panel.state == .depositDoorOpen(dana, suggestedIntake, compartmentID: 3, label: "A04"))
    }

    @Test func depositDoorOpenedShowsTheDoorAndALargerDoorReplacesIt() {
        var panel = PanelStart.choosingSize.make()
        // "Opening" until the sensor sees the door open; only then "is open".
        #expect(panel.depositDoorOpened(compartmentID: 3, label: "A04") == [.show(.depositDoorOpening(label: "A04"))])
        #expect(panel.isDepositOpen(compartmentID: 3))
        #expect(panel.depositDoorSeenOpen(compartmentID: 3, label: "A04") == [.show(.depositDoorOpen(label: "A04"))])
        #expect(panel.depositDoorOpened(compartmentID: 9, label: "C02") == [.show(.depositDoorOpening(label: "C02"))])
        #expect(panel.depositDoorSeenOpen(compartmentID: 3, label: "A04") == [], "the courier left that door")
        #expect(panel.state == .depositDoorOpen(dana, suggestedIntake, compartmentID: 9, label: "C02"))
        #expect(panel.isDepositOpen(compartmentID: 9))
        #expect(!panel.isDepositOpen(compartmentID: 3))
    }

    @Test(arguments: [PanelStart.idle, .courierID, .courierPIN, .courierReady, .courierOptions])
    func depositDoorOpenedOutsideADepositIsIgnored(start: PanelStart) {
        var panel = start.make()
        let before = panel.state
        #expect(panel.depositDoorOpened(compartmentID: 3, label: "A04").isEmpty)
        #expect(panel.state == before)
        #expect(!panel.isDepositOpen(compartmentID: 3))
    }

    @Test(arguments: [
        (PanelStart.depositDoorOpen, PanelStateMachine.State.courierReady(dana, typed: "")),
        (.choosingSize, .courierReady(dana, typed: "")),
        (.courierReady, .courierReady(dana, typed: "")),
        (.idle, .idle(typed: "")),
    ])
    func depositFinishedGoesBackToScanning(start: PanelStart, state: PanelStateMachine.State) {
        var panel = start.make()
        let message = PanelMessage.depositCommitted(label: "A04", code: "123456")
        let later = t0.addingTimeInterval(45)
        #expect(panel.depositFinished(message, now: later) == [.show(message)])
        #expect(panel.state == state)
        #expect(panel.lastInputAt == later)
    }

    @Test(arguments: [
        (PanelStart.depositDoorOpen, PanelStateMachine.State.choosingSize(dana, suggestedIntake)),
        (.choosingSize, .choosingSize(dana, suggestedIntake)),
        (.courierReady, .courierReady(dana, typed: "")),
        (.idle, .idle(typed: "")),
    ])
    func depositRefusedLetsTheCourierChooseAgain(start: PanelStart, state: PanelStateMachine.State) {
        var panel = start.make()
        let message = PanelMessage.noCompartment(size: .xl, temperatureClass: .ambient)
        #expect(panel.depositRefused(message) == [.show(message)])
        #expect(panel.state == state)
        #expect(!panel.isDepositOpen(compartmentID: 3))
    }

    // MARK: - Idle timeouts

    struct TimeoutCase: Sendable, CustomTestStringConvertible {
        var start: PanelStart
        var silence: Double
        var state: PanelStateMachine.State
        var actions: [PanelAction]
        var testDescription: String { "\(start) after \(silence) s" }
    }

    @Test(arguments: [
        TimeoutCase(start: .idle, silence: 10_000, state: .idle(typed: ""), actions: []),
        TimeoutCase(start: .idleHalfTyped, silence: 19.9, state: .idle(typed: "12"), actions: []),
        TimeoutCase(start: .idleHalfTyped, silence: 20, state: .idle(typed: ""), actions: [.show(.welcome)]),
        TimeoutCase(start: .courierID, silence: 19.9, state: .courierID(typed: "4711"), actions: []),
        TimeoutCase(start: .courierID, silence: 20, state: .idle(typed: ""), actions: [.show(.welcome)]),
        TimeoutCase(start: .courierPIN, silence: 19.9, state: .courierPIN(courierID: "4711", typed: "98"), actions: []),
        TimeoutCase(start: .courierPIN, silence: 20, state: .idle(typed: ""), actions: [.show(.welcome)]),
        TimeoutCase(start: .courierReady, silence: 19.9, state: .courierReady(dana, typed: ""), actions: []),
        TimeoutCase(start: .courierReady, silence: 20, state: .courierReady(dana, typed: ""), actions: [.show(.courierIdle)]),
        TimeoutCase(start: .courierReady, silence: 120, state: .idle(typed: ""),
                    actions: [.show(.loggedOut), .show(.welcome)]),
        TimeoutCase(start: .courierOptions, silence: 19.9, state: .courierOptions(dana), actions: []),
        TimeoutCase(start: .courierOptions, silence: 20, state: .courierOptions(dana), actions: [.show(.courierIdle)]),
        TimeoutCase(start: .courierOptions, silence: 120, state: .idle(typed: ""),
                    actions: [.show(.loggedOut), .show(.welcome)]),
        TimeoutCase(start: .choosingSize, silence: 19.9, state: .choosingSize(dana, suggestedIntake), actions: []),
        TimeoutCase(start: .choosingSize, silence: 20, state: .choosingSize(dana, suggestedIntake), actions: [.show(.courierIdle)]),
        TimeoutCase(start: .choosingSize, silence: 120, state: .idle(typed: ""),
                    actions: [.show(.loggedOut), .show(.welcome)]),
        // Never while a deposit door is open: the courier is busy at the door, not gone.
        TimeoutCase(start: .depositDoorOpen, silence: 120, state: .depositDoorOpen(
            dana, suggestedIntake, compartmentID: 3, label: "A04"), actions: []),
        TimeoutCase(start: .depositDoorOpen, silence: 86_400, state: .depositDoorOpen(
            dana, suggestedIntake, compartmentID: 3, label: "A04"), actions: []),
    ])
    func tickAfterSilence(_ timeout: TimeoutCase) {
        var panel = timeout.start.make()
        #expect(panel.tick(now: t0.addingTimeInterval(timeout.silence)) == timeout.actions)
        #expect(panel.state == timeout.state)
    }

    @Test func aFreshPanelNeverTimesOut() {
        var panel = PanelStateMachine()
        #expect(panel.tick(now: t0.addingTimeInterval(1_000_000)).isEmpty)
        #expect(panel.state == .idle(typed: ""))
    }

    @Test func everyKeyRestartsTheCodeTimeout() {
        var panel = PanelStateMachine()
        panel.press("1", at: t0)
        panel.press("2", at: t0.addingTimeInterval(15))
        #expect(panel.tick(now: t0.addingTimeInterval(30)).isEmpty)
        #expect(panel.state == .idle(typed: "12"))
        #expect(panel.tick(now: t0.addingTimeInterval(35)) == [.show(.welcome)])
        #expect(panel.state == .idle(typed: ""))
        // Once cleared, later ticks say nothing more.
        #expect(panel.tick(now: t0.addingTimeInterval(60)).isEmpty)
    }

    @Test func theSessionTimeoutRestartsWhenTheDepositFinishes() {
        var panel = PanelStart.depositDoorOpen.make()
        // The door stays open for ten minutes: no logout meanwhile.
        #expect(panel.tick(now: t0.addingTimeInterval(600)).isEmpty)
        let closed = t0.addingTimeInterval(600)
        _ = panel.depositFinished(.depositCommitted(label: "A04", code: "654321"), now: closed)
        #expect(panel.tick(now: closed.addingTimeInterval(19)).isEmpty)
        // The pickup code just issued leaves the screen 20 s after the courier's last key.
        #expect(panel.tick(now: closed.addingTimeInterval(20)) == [.show(.courierIdle)])
        #expect(panel.tick(now: closed.addingTimeInterval(119)).isEmpty)
        #expect(panel.state == .courierReady(dana, typed: ""))
        #expect(panel.tick(now: closed.addingTimeInterval(120)) == [.show(.loggedOut), .show(.welcome)])
        #expect(panel.state == .idle(typed: ""))
    }

    @Test func customTimeoutsAreHonoured() {
        let timeouts = PanelStateMachine.Timeouts(idleCodeSeconds: 5, courierSessionSeconds: 30)
        var resident = PanelStateMachine(timeouts: timeouts)
        resident.press("99")
        #expect(resident.tick(now: t0.addingTimeInterval(4)).isEmpty)
        #expect(resident.tick(now: t0.addingTimeInterval(5)) == [.show(.welcome)])

        var courier = PanelStateMachine(timeouts: timeouts)
        courier.press("menu 4711 enter 1 enter")
        _ = courier.courierAuthenticated(dana, now: t0)
        #expect(courier.tick(now: t0.addingTimeInterval(5)) == [.show(.courierIdle)])
        #expect(courier.tick(now: t0.addingTimeInterval(29)).isEmpty)
        #expect(courier.tick(now: t0.addingTimeInterval(30)) == [.show(.loggedOut), .show(.welcome)])
    }
}

@Suite struct PanelCredentialScanTests {
    @Test func aSignedCredentialIsHandedToTheDaemonAtRestOrAfterMenu() {
        var panel = PanelStateMachine(codePolicy: PickupCodePolicy(length: 6))
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(panel.scanned("LKT1.abc.def", now: t0) == [.presentCredential("LKT1.abc.def")])
        _ = panel.keyPressed(.menu, now: t0)
        #expect(panel.scanned("LKT1.badge.sig", now: t0) == [.presentCredential("LKT1.badge.sig")])
        #expect(panel.state == .idle(typed: ""))
        let courier = Courier(id: "2002", name: "Bo", carrier: "DHL")
        #expect(panel.courierBadgeAccepted(courier, now: t0) == [.show(.courierReady(name: "Bo"))])
        #expect(panel.state == .courierReady(courier, typed: ""))
    }
}
