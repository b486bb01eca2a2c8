public import LockerDrivers
import LockerCore

extension CabinetConfiguration {
    /// A temperature-controlled zone: compartments sharing one probe and one compressor or heater.
    public struct ZoneEntry: Sendable, Codable, Equatable {
        /// Where the zone's probe is read.
        public struct ProbeEntry: Sendable, Codable, Equatable {
            /// "ds18b20" (1-Wire sysfs), "own-board" (a probe on one of our own lock boards, read
            /// over its bus) or "simulated" (the thermal model of the simulated cabinet).
            public var kind: String
            /// ds18b20: the probe's id ("28-0316a2791aff") and the sysfs directory holding it.
            public var id: String?
            public var baseDirectory: String?
            /// own-board: the board (its cabinet address) and the probe's number on it.
            public var board: Int?
            public var number: Int?

            enum CodingKeys: String, CodingKey, CaseIterable {
                case kind, id, baseDirectory, board, number
            }

            public init(kind: String, id: String? = nil, baseDirectory: String? = nil, board: Int? = nil, number: Int? = nil) {
                self.kind = kind
                self.id = id
                self.baseDirectory = baseDirectory
                self.board = board
                self.number = number
            }
        }

        /// The compressor or heater relay.
        public struct RelayEntry: Sendable, Codable, Equatable {
            /// "gpio", "own-board" (a relay output of one of our own lock boards, SET RELAY) or
            /// "simulated".
            public var kind: String
            public var chip: String?
            public var line: GPIOLineAddress?
            public var activeLow: Bool?
            /// own-board: the board (its cabinet address) and the relay's number on it.
            public var board: Int?
            public var number: Int?

            enum CodingKeys: String, CodingKey, CaseIterable {
                case kind, chip, line, activeLow, board, number
            }

            public init(kind: String, chip: String? = nil, line: GPIOLineAddress? = nil, activeLow: Bool? = nil,
                        board: Int? = nil, number: Int? = nil) {
                self.kind = kind
                self.chip = chip
                self.line = line
                self.activeLow = activeLow
                self.board = board
                self.number = number
            }
        }

        public var name: String
        /// The compartments (by label) the zone cools or heats; all of one temperature class.
        public var compartments: [String]
        public var lowCelsius: Double
        public var highCelsius: Double
        public var hysteresisCelsius: Double
        /// Anti-short-cycle: the relay stays off at least this long after switching off.
        public var minimumOffSeconds: Double
        public var minimumOnSeconds: Double
        /// After running this long without a break the relay rests for `minimumOffSeconds`.
        public var maximumRunSeconds: Double
        /// The relay's state while the probe cannot be trusted (and its state on shutdown is off).
        public var relayOnWhenProbeFaulty: Bool
        /// Out of band for longer than this is an excursion.
        public var graceSeconds: Double
        /// The grace while a door of the zone is open, and after it closes.
        public var doorOpenGraceSeconds: Double
        /// How often the probe is read (at most 60 s: the record must have a sample a minute).
        public var sampleSeconds: Double
        public var probe: ProbeEntry
        public var relay: RelayEntry

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, compartments, lowCelsius, highCelsius, hysteresisCelsius, minimumOffSeconds, minimumOnSeconds
            case maximumRunSeconds, relayOnWhenProbeFaulty, graceSeconds, doorOpenGraceSeconds, sampleSeconds, probe, relay
        }

        public init(name: String, compartments: [String], lowCelsius: Double, highCelsius: Double, hysteresisCelsius: Double = 1,
                    minimumOffSeconds: Double = 180, minimumOnSeconds: Double = 60, maximumRunSeconds: Double = 3_600,
                    relayOnWhenProbeFaulty: Bool = false, graceSeconds: Double = 900, doorOpenGraceSeconds: Double = 1_200,
                    sampleSeconds: Double = 30, probe: ProbeEntry = ProbeEntry(kind: "simulated"),
                    relay: RelayEntry = RelayEntry(kind: "simulated")) {
            self.name = name
            self.compartments = compartments
            self.lowCelsius = lowCelsius
            self.highCelsius = highCelsius
            self.hysteresisCelsius = hysteresisCelsius
            self.minimumOffSeconds = minimumOffSeconds
            self.minimumOnSeconds = minimumOnSeconds
            self.maximumRunSeconds = maximumRunSeconds
            self.relayOnWhenProbeFaulty = relayOnWhenProbeFaulty
            self.graceSeconds = graceSeconds
            self.doorOpenGraceSeconds = doorOpenGraceSeconds
            self.sampleSeconds = sampleSeconds
            self.probe = probe
            self.relay = relay
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = ZoneEntry(name: "", compartments: [], lowCelsius: 0, highCelsius: 0)
            name = try c.decode(String.self, forKey: .name)
            compartments = try c.decode([String].self, forKey: .compartments)
            lowCelsius = try c.decode(Double.self, forKey: .lowCelsius)
            highCelsius = try c.decode(Double.self, forKey: .highCelsius)
            hysteresisCelsius = try c.decodeIfPresent(Double.self, forKey: .hysteresisCelsius) ?? d.hysteresisCelsius
            minimumOffSeconds = try c.decodeIfPresent(Double.self, forKey: .minimumOffSeconds) ?? d.minimumOffSeconds
            minimumOnSeconds = try c.decodeIfPresent(Double.self, forKey: .minimumOnSeconds) ?? d.minimumOnSeconds
            maximumRunSeconds = try c.decodeIfPresent(Double.self, forKey: .maximumRunSeconds) ?? d.maximumRunSeconds
            relayOnWhenProbeFaulty = try c.decodeIfPresent(Bool.self, forKey: .relayOnWhenProbeFaulty) ?? d.relayOnWhenProbeFaulty
            graceSeconds = try c.decodeIfPresent(Double.self, forKey: .graceSeconds) ?? d.graceSeconds
            doorOpenGraceSeconds = try c.decodeIfPresent(Double.self, forKey: .doorOpenGraceSeconds) ?? d.doorOpenGraceSeconds
            sampleSeconds = try c.decodeIfPresent(Double.self, forKey: .sampleSeconds) ?? d.sampleSeconds
            probe = try c.decodeIfPresent(ProbeEntry.self, forKey: .probe) ?? d.probe
            relay = try c.decodeIfPresent(RelayEntry.self, forKey: .relay) ?? d.relay
        }
    }

    /// The built-in simulated cabinet's zones: its chilled cells in two zones (one per column) and
    /// its frozen cells in one, on the thermal model, so `make run` shows temperatures that answer
    /// to doors and compressors.
    static let simulatedZones: [ZoneEntry] = [
        ZoneEntry(name: "chilled-a", compartments: ["A15", "A16"], lowCelsius: 2, highCelsius: 8),
        ZoneEntry(name: "chilled-b", compartments: ["B11", "B12"], lowCelsius: 2, highCelsius: 8),
        ZoneEntry(name: "frozen-b", compartments: ["B13", "B14"], lowCelsius: -25, highCelsius: -15, hysteresisCelsius: 2,
                  relayOnWhenProbeFaulty: true),
    ]

    /// The problems of the zone entries, each naming its zone.
    func zoneProblems() -> [String] {
        var problems: [String] = []
        if Set(zones.map(\.name)).count != zones.count { problems.append("two zones share a name") }
        var zoneOfCompartment: [String: String] = [:]
        for zone in zones {
            let what = "zone \"\(zone.name)\""
            if zone.name.isEmpty { problems.append("a zone has no name") }
            if zone.compartments.isEmpty { problems.append("\(what): no compartments") }
            var classes: Set<String> = []
            for label in zone.compartments {
                guard let entry = compartments.first(where: { CompartmentLabel.same($0.label, label) }) else {
                    problems.append("\(what): compartment \(label) is not configured")
                    continue
                }
                if let other = zoneOfCompartment[entry.label.uppercased()] {
                    problems.append("\(what): compartment \(label) is already in zone \"\(other)\"")
                }
                zoneOfCompartment[entry.label.uppercased()] = zone.name
                classes.insert(entry.temperatureClass.lowercased())
            }
            if classes.contains("ambient") { problems.append("\(what): ambient compartments need no zone") }
            if classes.count > 1 { problems.append("\(what): its compartments are of different classes (\(classes.sorted().joined(separator: ", ")))") }
            if !(zone.lowCelsius < zone.highCelsius) { problems.append("\(what): lowCelsius must be below highCelsius") }
            if !(zone.hysteresisCelsius > 0 && zone.hysteresisCelsius < zone.highCelsius - zone.lowCelsius) {
                problems.append("\(what): hysteresisCelsius must be above 0 and below the band's width")
            }
            for (field, value) in [("minimumOffSeconds", zone.minimumOffSeconds), ("minimumOnSeconds", zone.minimumOnSeconds),
                                   ("graceSeconds", zone.graceSeconds), ("doorOpenGraceSeconds", zone.doorOpenGraceSeconds)]
            where !(value >= 0 && value <= 86_400) {
                problems.append("\(what): \(field) must be 0...86400, is \(value)")
            }
            if !(zone.maximumRunSeconds > zone.minimumOnSeconds && zone.maximumRunSeconds <= 86_400) {
                problems.append("\(what): maximumRunSeconds must be above minimumOnSeconds and at most 86400")
            }
            if !(zone.sampleSeconds >= 1 && zone.sampleSeconds <= 60) { problems.append("\(what): sampleSeconds must be 1...60") }
            let simulatedParts = [zone.probe.kind, zone.relay.kind].filter { $0 == "simulated" }.count
            if simulatedParts == 1 {
                problems.append("\(what): probe and relay must both be real or both simulated (a model cannot stand in for one half of a real zone)")
            }
            // A zone with no probe or relay configured would default to the simulated ones: on a
            // cabinet without any simulated board that is a mistake, never a thermal model.
            let hasSimulatedBoards = boards.contains(where: \.isSimulated)
            if simulatedParts > 0 && !hasSimulatedBoards {
                problems.append("\(what): a simulated probe or relay belongs to the simulated cabinet only; give this zone a ds18b20 probe and a gpio relay")
            }
            switch zone.probe.kind {
            case "ds18b20": if (zone.probe.id ?? "").isEmpty { problems.append("\(what): a ds18b20 probe needs its id (28-...)") }
            case "own-board":
                let board = boards.first { $0.address == zone.probe.board }
                if board?.family?.carriesTemperatureProbes != true {
                    problems.append("\(what): an own-board probe needs \"board\": the address of a board of kind own-protocol")
                }
                if !(0...255).contains(zone.probe.number ?? -1) { problems.append("\(what): an own-board probe needs its \"number\" (0...255)") }
            case "simulated": break
            default: problems.append("\(what): probe kind must be ds18b20, own-board or simulated, is \"\(zone.probe.kind)\"")
            }
            switch zone.relay.kind {
            case "gpio": if zone.relay.chip == nil || zone.relay.line == nil { problems.append("\(what): a gpio relay needs chip and line") }
            case "own-board":
                // Boards that carry probes are the boards of our own protocol, which also drive relays.
                if boards.first(where: { $0.address == zone.relay.board })?.family?.carriesTemperatureProbes != true {
                    problems.append("\(what): an own-board relay needs \"board\": the address of a board of kind own-protocol")
                }
                if !(1...255).contains(zone.relay.number ?? -1) { problems.append("\(what): an own-board relay needs its \"number\" (1...255)") }
            case "simulated": break
            default: problems.append("\(what): relay kind must be gpio, own-board or simulated, is \"\(zone.relay.kind)\"")
            }
        }
        // With a cold chain configured, a cold compartment outside every zone would take cold
        // parcels with no control and no record.
        if !zones.isEmpty {
            for entry in compartments where entry.temperatureClass.lowercased() != "ambient" && zoneOfCompartment[entry.label.uppercased()] == nil {
                problems.append("compartment \(entry.label) is \(entry.temperatureClass) but in no zone: add it to the zone that cools or heats it")
            }
        }
        return problems
    }
}
