/// A key of the cabinet's keypad, as the panel logic sees it (the hardware layer has its own type;
/// the daemon maps one to the other so the core never depends on hardware).
public enum KeypadKey: Sendable, Equatable, Hashable, CustomStringConvertible {
    case digit(UInt8)
    case clear
    case back
    case enter
    /// The courier/menu key.
    case menu

    public var description: String {
        switch self {
        case .digit(let d): return String(d)
        case .clear: return "CLEAR"
        case .back: return "BACK"
        case .enter: return "ENTER"
        case .menu: return "MENU"
        }
    }
}
