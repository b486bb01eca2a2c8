/// What the touchscreen kiosk page shows at one moment: the step of the panel's flow (which
/// buttons make sense), what has been typed, and the message of the catalogue in the language of
/// the person at the panel, with its id and parameters.
///
/// Pure: made from the panel's state and the last message shown. The page draws it and sends
/// keys back; every key goes through `PanelStateMachine` like a keypad's, so the page decides
/// nothing the keypad could not.
public struct KioskScreen: Sendable, Equatable, Codable {
    /// Where in a flow the person at the panel is (the page shows the buttons of that step).
    public enum Step: String, Sendable, Codable, CaseIterable {
        /// Nothing typed: the welcome, with the language key and the QR scanning prompt.
        case welcome
        /// A resident is typing a pickup code.
        case pickupCode = "pickup_code"
        case courierID = "courier_id"
        case courierPIN = "courier_pin"
        /// Logged in: scan a parcel or key its number.
        case courierReady = "courier_ready"
        case courierOptions = "courier_options"
        /// The size and temperature class of the parcel.
        case choosingSize = "choosing_size"
        /// The deposit door was unlocked: put the parcel in, close it (or ask for a larger door).
        case depositDoor = "deposit_door"
    }

    /// A message of the catalogue, as the page receives it.
    public struct Message: Sendable, Equatable, Codable {
        public var id: PanelMessageID
        public var arguments: [String: String]
        /// The whole message in `KioskScreen.language`.
        public var text: String
        /// The pickup code, when the message shows one: the page shows it on its own, large.
        public var pickupCode: String?
    }

    public var step: Step
    /// The language chosen at the panel (it returns to the configured one after each session).
    public var language: PanelLanguage
    /// What has been typed in this step: a courier id and a tracking number as typed; a pickup
    /// code and a PIN as one "•" per digit (anyone behind the person can see the screen).
    public var typed: String
    public var message: Message

    public init(step: Step, language: PanelLanguage, typed: String, message: Message) {
        self.step = step
        self.language = language
        self.typed = typed
        self.message = message
    }

    /// The screen for the panel in `state`, speaking `language`, having last shown `message`.
    public init(state: PanelStateMachine.State, language: PanelLanguage, message: PanelMessage) {
        let masked = { (text: String) in String(repeating: "•", count: text.count) }
        switch state {
        case .idle(let typed):
            (step, self.typed) = typed.isEmpty ? (.welcome, "") : (.pickupCode, masked(typed))
        case .courierID(let typed): (step, self.typed) = (.courierID, typed)
        case .courierPIN(_, let typed): (step, self.typed) = (.courierPIN, masked(typed))
        case .courierReady(_, let typed): (step, self.typed) = (.courierReady, typed)
        case .courierOptions: (step, self.typed) = (.courierOptions, "")
        case .choosingSize: (step, self.typed) = (.choosingSize, "")
        case .depositDoorOpen: (step, self.typed) = (.depositDoor, "")
        }
        self.language = language
        self.message = Message(id: message.id, arguments: message.arguments,
                               text: PanelCatalogue.text(message, in: language).text, pickupCode: message.pickupCode)
    }
}
