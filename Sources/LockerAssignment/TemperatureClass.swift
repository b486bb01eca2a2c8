/// The climate a compartment keeps. Parcels go only to compartments of exactly their class:
/// a chilled parcel in a frozen compartment is as spoiled as one left at room temperature.
public enum TemperatureClass: UInt8, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case ambient = 0, chilled, frozen, heated

    /// The lowercase name used in configuration and logs: "ambient", "chilled", "frozen", "heated".
    public var description: String {
        switch self {
        case .ambient: "ambient"
        case .chilled: "chilled"
        case .frozen: "frozen"
        case .heated: "heated"
        }
    }

    /// Parses a class name, ignoring case. Returns nil for anything else.
    public init?(label: String) {
        let wanted = label.lowercased()
        for temperatureClass in TemperatureClass.allCases where temperatureClass.description == wanted {
            self = temperatureClass
            return
        }
        return nil
    }
}
