/// A door, for occupancy per size and temperature class.
public struct ReportCompartment: Sendable, Equatable {
    public var id: Int
    public var label: String
    public var size: String
    public var temperatureClass: String
    /// Quarantined and disabled doors are not capacity.
    public var inService: Bool

    public init(id: Int, label: String, size: String, temperatureClass: String, inService: Bool = true) {
        self.id = id
        self.label = label
        self.size = size
        self.temperatureClass = temperatureClass
        self.inService = inService
    }
}
