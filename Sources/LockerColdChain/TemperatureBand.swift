/// The range a zone's contents must stay within, both ends included.
///
/// One type shared by the thermostat, the excursion tracker and the custody summary, so that
/// "in band" means the same thing in the control loop and in the proof given to a recipient.
public struct TemperatureBand: Sendable, Equatable, Hashable, Codable {
    public var lowCelsius: Double
    public var highCelsius: Double

    public init(lowCelsius: Double, highCelsius: Double) {
        self.lowCelsius = lowCelsius
        self.highCelsius = highCelsius
    }

    public var midpointCelsius: Double { (lowCelsius + highCelsius) / 2 }
    public var widthCelsius: Double { highCelsius - lowCelsius }

    /// Whether a reading is in band. NaN is not: an unreadable value proves nothing.
    public func contains(_ celsius: Double) -> Bool {
        celsius >= lowCelsius && celsius <= highCelsius
    }

    /// Which side of the band a reading is on, or nil when it is in band. NaN gives nil too, so
    /// check `isFinite` first: an unreadable value is a probe fault, not a temperature.
    public func direction(of celsius: Double) -> ExcursionDirection? {
        if celsius > highCelsius { return .tooWarm }
        if celsius < lowCelsius { return .tooCold }
        return nil
    }

    /// Reasons the band cannot be used; empty when it can.
    public var problems: [String] {
        var problems: [String] = []
        if !lowCelsius.isFinite || !highCelsius.isFinite {
            problems.append("the band's ends must be finite numbers")
        } else if lowCelsius >= highCelsius {
            problems.append("lowCelsius (\(lowCelsius)) must be below highCelsius (\(highCelsius))")
        }
        return problems
    }
}
