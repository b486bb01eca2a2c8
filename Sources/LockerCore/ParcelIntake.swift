/// What a courier is about to deposit: known from the scan (and pre-advice, when the server sent one)
/// before any compartment is chosen.
public struct ParcelIntake: Sendable, Equatable, Codable {
    public var trackingNumber: String
    public var recipientReference: String
    public var size: CompartmentSize
    public var temperatureClass: TemperatureClass
    public var needsAccessible: Bool
    /// From the central server's pre-advice: how long this parcel stays (nil: the class's default).
    public var retentionHours: Double?
    /// From the central server's pre-advice: the keyed hash of a pickup code the server issued and
    /// told the resident (nil: the cabinet draws one). Never the code itself.
    public var serverCodeHash: String?
    /// The carrier the parcel came with: from the pre-advice, or else the depositing courier's
    /// (configuration entry, server list or badge). Recorded with the deposit.
    public var carrier: String?

    public init(
        trackingNumber: String, recipientReference: String = "", size: CompartmentSize,
        temperatureClass: TemperatureClass = .ambient, needsAccessible: Bool = false
    ) {
        self.trackingNumber = trackingNumber
        self.recipientReference = recipientReference
        self.size = size
        self.temperatureClass = temperatureClass
        self.needsAccessible = needsAccessible
    }

    /// Tracking numbers are printed barcodes: 4–40 characters of letters, digits and `-`.
    /// Anything else (a garbage scan, a pasted URL) is refused with this reason.
    public static func validationError(forTrackingNumber text: String) -> String? {
        TrackingNumberProblem.of(text).map { PanelCatalogue.trackingReason(text, $0, in: .english) }
    }
}
