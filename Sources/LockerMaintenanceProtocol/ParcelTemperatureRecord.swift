public import FoundationEssentials

/// One parcel's temperature record, from its deposit to its pickup (or now): its zone's segments
/// and excursions in that time and their summary. What a seller, a recipient or the property
/// gets when they disagree about who let the food spoil.
public struct ParcelTemperatureRecord: Sendable, Codable, Equatable {
    public struct Segment: Sendable, Codable, Equatable {
        public var start: Date
        public var end: Date
        public var minCelsius: Double
        public var maxCelsius: Double
        public var samples: Int

        public init(start: Date, end: Date, minCelsius: Double, maxCelsius: Double, samples: Int) {
            self.start = start
            self.end = end
            self.minCelsius = minCelsius
            self.maxCelsius = maxCelsius
            self.samples = samples
        }
    }

    public struct Excursion: Sendable, Codable, Equatable {
        /// "too_warm" or "too_cold".
        public var direction: String
        public var start: Date
        /// Nil while it lasts.
        public var end: Date?
        public var peakCelsius: Double

        public init(direction: String, start: Date, end: Date?, peakCelsius: Double) {
            self.direction = direction
            self.start = start
            self.end = end
            self.peakCelsius = peakCelsius
        }
    }

    public var trackingNumber: String
    public var door: String
    public var zone: String
    public var lowCelsius: Double
    public var highCelsius: Double
    public var depositedAt: Date
    /// Nil while the parcel is still in the cabinet (the record runs to now).
    public var pickedUpAt: Date?
    public var minCelsius: Double?
    public var maxCelsius: Double?
    public var secondsOutOfBand: Double
    /// Time of the custody no sample covers (the daemon was down, the probe was faulty).
    public var gapSeconds: Double
    public var segments: [Segment]
    public var excursions: [Excursion]

    public init(trackingNumber: String, door: String, zone: String, lowCelsius: Double, highCelsius: Double, depositedAt: Date,
                pickedUpAt: Date?, minCelsius: Double?, maxCelsius: Double?, secondsOutOfBand: Double, gapSeconds: Double,
                segments: [Segment], excursions: [Excursion]) {
        self.trackingNumber = trackingNumber
        self.door = door
        self.zone = zone
        self.lowCelsius = lowCelsius
        self.highCelsius = highCelsius
        self.depositedAt = depositedAt
        self.pickedUpAt = pickedUpAt
        self.minCelsius = minCelsius
        self.maxCelsius = maxCelsius
        self.secondsOutOfBand = secondsOutOfBand
        self.gapSeconds = gapSeconds
        self.segments = segments
        self.excursions = excursions
    }
}
