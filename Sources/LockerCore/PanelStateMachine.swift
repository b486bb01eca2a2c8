public import Foundation

/// The cabinet's front panel: who is at the keypad and what their keys and scans mean.
///
/// Pure: every method takes `now`, returns actions, and never performs them. The daemon performs
/// the actions (store commits, latch pulses) and reports outcomes back through the event methods
/// (`courierAuthenticated`, `depositDoorOpened`, ...). Door sensors are not seen here: the daemon
/// completes deposits and pickups on door events and tells the panel with `depositFinished`.
public struct PanelStateMachine: Sendable {
    public enum State: Sendable, Equatable {
        /// A resident may be typing a pickup code.
        case idle(typed: String)
        case courierID(typed: String)
        case courierPIN(courierID: String, typed: String)
        /// Logged in, waiting for a parcel to be scanned or keyed.
        case courierReady(Courier, typed: String)
        case courierOptions(Courier)
        case choosingSize(Courier, ParcelIntake)
        case depositDoorOpen(Courier, ParcelIntake, compartmentID: Int, label: String)
    }

    public struct Timeouts: Sendable, Equatable {
        /// A half-typed code is cleared after this much silence (the next person must not inherit it).
        public var idleCodeSeconds: Double
        /// A courier who walked away is logged out (never while a deposit door is open).
        public var courierSessionSeconds: Double

        public init(idleCodeSeconds: Double = 20, courierSessionSeconds: Double = 120) {
            self.idleCodeSeconds = idleCodeSeconds
            self.courierSessionSeconds = courierSessionSeconds
        }
    }

    public private(set) var state: State
    public let codePolicy: PickupCodePolicy
    public let timeouts: Timeouts
    public private(set) var lastInputAt: Date?
    /// The language the panel speaks when nobody asked for another one (configuration).
    public let defaultLanguage: PanelLanguage
    /// The language of the person at the panel now: ENTER on the welcome screen with nothing typed
    /// switches it; it returns to `defaultLanguage` when the session ends (a courier logs out, or
    /// the panel has been quiet for `idleCodeSeconds`), so the next person is not greeted in the
    /// last one's choice.
    public private(set) var language: PanelLanguage
    /// The courier's screen (a pickup code just issued, a tracking number) was already cleared
    /// after `idleCodeSeconds` of silence; the session itself lasts `courierSessionSeconds`.
    private var sessionTextCleared = false

    public init(
        codePolicy: PickupCodePolicy = PickupCodePolicy(), timeouts: Timeouts = Timeouts(), defaultLanguage: PanelLanguage = .english
    ) {
        self.state = .idle(typed: "")
        self.defaultLanguage = defaultLanguage
        self.language = defaultLanguage
        self.codePolicy = codePolicy
        self.timeouts = timeouts
    }

    // MARK: - Input from people

    public mutating func keyPressed(_ key: KeypadKey, now: Date) -> [PanelAction] {
        lastInputAt = now
        sessionTextCleared = false
        switch state {
        case .idle(let typed):
            return idleKey(key, typed: typed)
        case .courierID(let typed):
            switch edit(typed, key, maxLength: 16) {
            case .editing(let text):
                state = .courierID(typed: text)
                return []
            case .entered(let text):
                guard !text.isEmpty else { return [] }
                state = .courierPIN(courierID: text, typed: "")
                return [.show(.enterPIN)]
            case .cleared, .menu:
                return backToIdle()
            }
        case .courierPIN(let courierID, let typed):
            switch edit(typed, key, maxLength: 16) {
            case .editing(let text):
                state = .courierPIN(courierID: courierID, typed: text)
                return []
            case .entered(let pin):
                return [.authenticateCourier(id: courierID, pin: pin)]
            case .cleared, .menu:
                return backToIdle()
            }
        case .courierReady(let courier, let typed):
            switch edit(typed, key, maxLength: 40) {
            case .editing(let text):
                state = .courierReady(courier, typed: text)
                return []
            case .entered(let text):
                if text.isEmpty {
                    state = .courierOptions(courier)
                    return [.show(.courierOptions)]
                }
                state = .courierReady(courier, typed: "")
                return trackingNumberGiven(text, courier: courier)
            case .cleared:
                state = .courierReady(courier, typed: "")
                return [.show(.courierReady(name: courier.name))]
            case .menu:
                return logOut()
            }
        case .courierOptions(let courier):
            switch key {
            case .digit(1):
                state = .courierReady(courier, typed: "")
                return [.retrieveOverdue(courier: courier)]
            case .digit(3):
                state = .courierReady(courier, typed: "")
                return [.retrieveAllOverdue(courier: courier)]
            case .digit(2), .menu:
                return logOut()
            case .clear, .back:
                state = .courierReady(courier, typed: "")
                return [.show(.courierReady(name: courier.name))]
            default:
                return [.show(.courierOptions)]
            }
        case .choosingSize(let courier, var intake):
            switch key {
            case .digit(let d) where (1...5).contains(d):
                intake.size = CompartmentSize(rawValue: d - 1) ?? intake.size
                state = .choosingSize(courier, intake)
                return [.depositParcel(intake, courier: courier)]
            case .enter:
                return [.depositParcel(intake, courier: courier)]
            case .digit(let d) where [0, 6, 7, 8].contains(d):
                intake.temperatureClass = d == 0 ? .ambient : TemperatureClass(rawValue: d - 5) ?? .ambient
                state = .choosingSize(courier, intake)
                return [.show(.chooseSize(trackingNumber: intake.trackingNumber, suggested: intake.size,
                                          temperatureClass: intake.temperatureClass))]
            case .clear, .back, .menu:
                state = .courierReady(courier, typed: "")
                return [.show(.courierReady(name: courier.name))]
            default:
                return []
            }
        case .depositDoorOpen(_, _, let compartmentID, _):
            switch key {
            case .digit(1): return [.requestLargerDoor(compartmentID: compartmentID)]
            case .digit(2): return [.reportDoorDidNotOpen(compartmentID: compartmentID)]
            case .clear: return [.cancelDeposit(compartmentID: compartmentID)]
            default: return []
            }
        }
    }

    public mutating func scanned(_ text: String, now: Date) -> [PanelAction] {
        lastInputAt = now
        sessionTextCleared = false
        switch state {
        case .courierID where text.hasPrefix(Self.credentialPrefix):
            // A courier who pressed MENU may show a badge instead of typing an ID.
            state = .idle(typed: "")
            return [.presentCredential(text)]
        case .idle:
            state = .idle(typed: "")
            // A signed credential (pickup QR code, courier badge) is checked by the daemon; a
            // scanned pickup code (the digits printed in a notification) counts as typed.
            if text.hasPrefix(Self.credentialPrefix) { return [.presentCredential(text)] }
            guard codePolicy.isWellFormed(text) else { return [.show(.notAPickupCode)] }
            return [.attemptPickup(code: text)]
        case .courierReady(let courier, _):
            state = .courierReady(courier, typed: "")
            return trackingNumberGiven(text, courier: courier)
        case .courierID, .courierPIN, .courierOptions, .choosingSize, .depositDoorOpen:
            // A scan in the middle of another step is ignored rather than guessed at.
            return []
        }
    }

    // MARK: - Outcomes reported by the daemon

    /// What a scanned signed credential starts with (see `OfflineCredential`).
    public static let credentialPrefix = "LKT1."

    /// A courier's signed badge was accepted: logged in without a PIN.
    public mutating func courierBadgeAccepted(_ courier: Courier, now: Date) -> [PanelAction] {
        guard case .idle = state else { return [] }
        state = .courierReady(courier, typed: "")
        lastInputAt = now
        sessionTextCleared = false
        return [.show(.courierReady(name: courier.name))]
    }

    public mutating func courierAuthenticated(_ courier: Courier?, now: Date) -> [PanelAction] {
        guard case .courierPIN = state else { return [] }
        guard let courier else {
            state = .idle(typed: "")
            return [.show(.courierRejected)]
        }
        state = .courierReady(courier, typed: "")
        lastInputAt = now
        sessionTextCleared = false
        return [.show(.courierReady(name: courier.name))]
    }

    public mutating func parcelIdentified(_ intake: ParcelIntake) -> [PanelAction] {
        guard case .courierReady(let courier, _) = state else { return [] }
        state = .choosingSize(courier, intake)
        return [.show(.chooseSize(trackingNumber: intake.trackingNumber, suggested: intake.size,
                                  temperatureClass: intake.temperatureClass))]
    }

    public mutating func depositDoorOpened(compartmentID: Int, label: String) -> [PanelAction] {
        switch state {
        case .choosingSize(let courier, let intake), .depositDoorOpen(let courier, let intake, _, _):
            state = .depositDoorOpen(courier, intake, compartmentID: compartmentID, label: label)
            // Not "is open" yet: only the sensor can say so (`depositDoorSeenOpen`).
            return [.show(.depositDoorOpening(label: label))]
        default:
            return []
        }
    }

    /// The sensor saw the deposit door open: now the courier is told to put the parcel in.
    public mutating func depositDoorSeenOpen(compartmentID: Int, label: String) -> [PanelAction] {
        guard case .depositDoorOpen(_, _, compartmentID, _) = state else { return [] }
        return [.show(.depositDoorOpen(label: label))]
    }

    /// No door could be opened for the parcel: the courier chooses again (or gives up).
    public mutating func depositRefused(_ message: PanelMessage) -> [PanelAction] {
        switch state {
        case .choosingSize(let courier, let intake), .depositDoorOpen(let courier, let intake, _, _):
            state = .choosingSize(courier, intake)
            return [.show(message)]
        default:
            return [.show(message)]
        }
    }

    /// The deposit ended (committed, cancelled, closed empty): back to scanning the next parcel.
    public mutating func depositFinished(_ message: PanelMessage, now: Date) -> [PanelAction] {
        lastInputAt = now
        sessionTextCleared = false
        switch state {
        case .depositDoorOpen(let courier, _, _, _), .choosingSize(let courier, _):
            state = .courierReady(courier, typed: "")
        default:
            break
        }
        return [.show(message)]
    }

    /// Is a deposit door open for this compartment right now?
    public func isDepositOpen(compartmentID: Int) -> Bool {
        if case .depositDoorOpen(_, _, let id, _) = state { return id == compartmentID }
        return false
    }

    // MARK: - Time

    public mutating func tick(now: Date) -> [PanelAction] {
        guard let lastInputAt else { return [] }
        let silence = now.timeIntervalSince(lastInputAt)
        switch state {
        case .idle(let typed) where (!typed.isEmpty || language != defaultLanguage) && silence >= timeouts.idleCodeSeconds:
            state = .idle(typed: "")
            language = defaultLanguage
            return [.show(.welcome)]
        case .courierID, .courierPIN:
            if silence >= timeouts.idleCodeSeconds { return backToIdle() }
        case .courierReady, .courierOptions, .choosingSize:
            if silence >= timeouts.courierSessionSeconds { return logOut() }
            // A courier who walked away must not leave the pickup code just issued (or the
            // session's text) on the screen for the next passer-by: cleared after the same
            // silence as a half-typed code; the session stays open until its own timeout.
            if silence >= timeouts.idleCodeSeconds && !sessionTextCleared {
                sessionTextCleared = true
                return [.show(.courierIdle)]
            }
        case .idle, .depositDoorOpen:
            break
        }
        return []
    }

    // MARK: - Private

    private mutating func idleKey(_ key: KeypadKey, typed: String) -> [PanelAction] {
        switch key {
        case .digit(let d):
            let code = typed + String(d)
            if code.count >= codePolicy.length {
                // The door opens the instant the last digit is typed: no ENTER on the hot path.
                state = .idle(typed: "")
                return [.attemptPickup(code: code)]
            }
            state = .idle(typed: code)
            return [.show(.codeProgress(typed: code.count, length: codePolicy.length))]
        case .back:
            let code = String(typed.dropLast())
            state = .idle(typed: code)
            return [.show(.codeProgress(typed: code.count, length: codePolicy.length))]
        case .clear:
            state = .idle(typed: "")
            return [.show(.welcome)]
        case .enter:
            // The language key: ENTER means nothing else with no code typed.
            guard !typed.isEmpty else {
                language = language.next
                return [.show(.welcome)]
            }
            state = .idle(typed: "")
            return [.show(.codeTooShort(length: codePolicy.length))]
        case .menu:
            state = .courierID(typed: "")
            return [.show(.enterCourierID)]
        }
    }

    private func trackingNumberGiven(_ text: String, courier: Courier) -> [PanelAction] {
        if let problem = TrackingNumberProblem.of(text) {
            return [.show(.trackingRejected(trackingNumber: text, problem: problem))]
        }
        return [.identifyParcel(trackingNumber: text, courier: courier)]
    }

    private mutating func backToIdle() -> [PanelAction] {
        state = .idle(typed: "")
        return [.show(.welcome)]
    }

    private mutating func logOut() -> [PanelAction] {
        state = .idle(typed: "")
        language = defaultLanguage
        return [.show(.loggedOut), .show(.welcome)]
    }

    private enum Edit {
        case editing(String)
        case entered(String)
        case cleared
        case menu
    }

    private func edit(_ text: String, _ key: KeypadKey, maxLength: Int) -> Edit {
        switch key {
        case .digit(let d): return .editing(text.count < maxLength ? text + String(d) : text)
        case .back: return .editing(String(text.dropLast()))
        case .enter: return .entered(text)
        case .clear: return .cleared
        case .menu: return .menu
        }
    }
}
