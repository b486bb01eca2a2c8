/// What a `GPIOLockBoard` drives: one chip, and per channel a latch output and an optional
/// door-sensor input. A pure value (decoded from the cabinet configuration, compared in tests); it
/// does no I/O, so a configuration can be checked on any machine, GPIO or not.
///
/// Example (JSON), three latches on a Raspberry Pi through an active-low relay module, door
/// switches that close to ground when the door is shut and external pull-up resistors (the driver
/// sets no bias, so the pin's power-on pull must not be relied on), so an open door reads high:
///
/// ```json
/// {
///   "chip": "gpiochip0",
///   "channels": [
///     { "latch": "GPIO17", "latchActiveLow": true, "doorSensor": { "line": "GPIO22" } },
///     { "latch": "GPIO27", "latchActiveLow": true, "doorSensor": { "line": "GPIO23" } },
///     { "latch": 24, "latchActiveLow": true }
///   ],
///   "debounceMilliseconds": 20
/// }
/// ```
public struct GPIOLockBoardConfiguration: Sendable, Equatable, Codable {
    /// One compartment door: index 0 of `channels` is channel 1, as on printed boards.
    public struct Channel: Sendable, Equatable, Codable {
        /// The output that energises the latch (through a relay or transistor; never the coil
        /// directly from a GPIO pin).
        public var latch: GPIOLineAddress
        /// The latch is energised when the line is physically low (most relay modules).
        public var latchActiveLow: Bool
        /// nil when this door has no sensor: its door then always reads closed.
        public var doorSensor: DoorSensor?

        /// Public and `CaseIterable` so the daemon's configuration check can refuse unknown keys.
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case latch, latchActiveLow, doorSensor
        }

        public init(latch: GPIOLineAddress, latchActiveLow: Bool = false, doorSensor: DoorSensor? = nil) {
            self.latch = latch
            self.latchActiveLow = latchActiveLow
            self.doorSensor = doorSensor
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            latch = try c.decode(GPIOLineAddress.self, forKey: .latch)
            latchActiveLow = try c.decodeIfPresent(Bool.self, forKey: .latchActiveLow) ?? false
            doorSensor = try c.decodeIfPresent(DoorSensor.self, forKey: .doorSensor)
        }
    }

    /// A door switch on an input line. `activeLow` inverts the line as the kernel reports it;
    /// `openWhen` then says which logical level means "open". Together: the door is open on a
    /// physically low line when exactly one of `activeLow` and `openWhen == .inactive` holds, and
    /// on a physically high line otherwise.
    /// Both exist so the configuration can follow the wiring plan's wording ("active-low sensor,
    /// active when closed") instead of a technician working out the XOR.
    public struct DoorSensor: Sendable, Equatable, Codable {
        public enum OpenLevel: String, Sendable, Equatable, Codable {
            /// Open while the line is active (high, or low if `activeLow`).
            case active
            /// Open while the line is inactive.
            case inactive
        }

        public var line: GPIOLineAddress
        public var activeLow: Bool
        public var openWhen: OpenLevel

        /// Public and `CaseIterable` so the daemon's configuration check can refuse unknown keys.
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case line, activeLow, openWhen
        }

        public init(line: GPIOLineAddress, activeLow: Bool = false, openWhen: OpenLevel = .active) {
            self.line = line
            self.activeLow = activeLow
            self.openWhen = openWhen
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            line = try c.decode(GPIOLineAddress.self, forKey: .line)
            activeLow = try c.decodeIfPresent(Bool.self, forKey: .activeLow) ?? false
            openWhen = try c.decodeIfPresent(OpenLevel.self, forKey: .openWhen) ?? .active
        }

        /// Whether the door is open, given the line's logical value.
        public func isOpen(lineActive: Bool) -> Bool {
            openWhen == .active ? lineActive : !lineActive
        }
    }

    public static let defaultMinimumPulseMilliseconds = 100
    public static let defaultMaximumPulseMilliseconds = 2000
    public static let defaultDebounceMilliseconds = 20

    /// The chip as libgpiod's lookup accepts it: path, name, label or number.
    public var chip: String
    public var channels: [Channel]
    /// Requested pulses are raised to this: shorter ones may not pull the latch in.
    public var minimumPulseMilliseconds: Int
    /// Requested pulses are cut to this: solenoid latches overheat when held energised.
    public var maximumPulseMilliseconds: Int
    /// A door change counts once the sensor held the new level this long; shorter bounces are
    /// not reported.
    public var debounceMilliseconds: Int

    /// Public and `CaseIterable` so the daemon's configuration check can refuse unknown keys.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case chip, channels, minimumPulseMilliseconds, maximumPulseMilliseconds, debounceMilliseconds
    }

    public init(
        chip: String, channels: [Channel],
        minimumPulseMilliseconds: Int = Self.defaultMinimumPulseMilliseconds,
        maximumPulseMilliseconds: Int = Self.defaultMaximumPulseMilliseconds,
        debounceMilliseconds: Int = Self.defaultDebounceMilliseconds
    ) {
        self.chip = chip
        self.channels = channels
        self.minimumPulseMilliseconds = minimumPulseMilliseconds
        self.maximumPulseMilliseconds = maximumPulseMilliseconds
        self.debounceMilliseconds = debounceMilliseconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        chip = try c.decode(String.self, forKey: .chip)
        channels = try c.decode([Channel].self, forKey: .channels)
        minimumPulseMilliseconds = try c.decodeIfPresent(Int.self, forKey: .minimumPulseMilliseconds)
            ?? Self.defaultMinimumPulseMilliseconds
        maximumPulseMilliseconds = try c.decodeIfPresent(Int.self, forKey: .maximumPulseMilliseconds)
            ?? Self.defaultMaximumPulseMilliseconds
        debounceMilliseconds = try c.decodeIfPresent(Int.self, forKey: .debounceMilliseconds)
            ?? Self.defaultDebounceMilliseconds
    }

    public var debounce: Duration { .milliseconds(debounceMilliseconds) }

    /// The pulse actually used for a requested length: within the configured limits.
    public func pulse(forRequestedMilliseconds requested: Int) -> Duration {
        .milliseconds(min(max(requested, minimumPulseMilliseconds), maximumPulseMilliseconds))
    }

    /// Everything wrong with this configuration, one sentence each; empty when usable. Lines named
    /// once and addressed by offset elsewhere can only be compared on the chip, so
    /// `GPIOLockBoard` checks that again after finding the lines.
    public var problems: [String] {
        var problems: [String] = []
        if chip.isEmpty { problems.append("chip is empty; name the gpiochip (path, name, label or number)") }
        if channels.isEmpty { problems.append("no channels; a GPIO lock board needs at least one latch") }
        if minimumPulseMilliseconds < 1 {
            problems.append("minimumPulseMilliseconds is \(minimumPulseMilliseconds); it must be at least 1")
        }
        if maximumPulseMilliseconds < minimumPulseMilliseconds {
            problems.append(
                "maximumPulseMilliseconds (\(maximumPulseMilliseconds)) is below minimumPulseMilliseconds (\(minimumPulseMilliseconds))"
            )
        }
        if debounceMilliseconds < 0 {
            problems.append("debounceMilliseconds is \(debounceMilliseconds); it must be 0 or more")
        }
        var usedBy: [GPIOLineAddress: String] = [:]
        for (index, channel) in channels.enumerated() {
            var uses = [(channel.latch, "the latch of channel \(index + 1)")]
            if let sensor = channel.doorSensor { uses.append((sensor.line, "the door sensor of channel \(index + 1)")) }
            for (line, use) in uses {
                if case .offset(let offset) = line, offset < 0 {
                    problems.append("\(use) has a negative offset (\(offset))")
                }
                if let earlier = usedBy[line] {
                    problems.append("\(line) is both \(earlier) and \(use)")
                } else {
                    usedBy[line] = use
                }
            }
        }
        return problems
    }
}
