import Foundation
@testable import LockerDaemon
import LockerDrivers
import LockerUplink
import Testing

/// The configuration file is read strictly: a misspelt key is an error naming its path and the
/// key that was probably meant, a syntax error names its line and column in the file as the
/// technician sees it (comment lines included), and every problem is listed at once.
@Suite struct StrictConfigurationTests {
    /// The smallest valid cabinet, with room for more top-level fields before it.
    static func cabinet(_ extra: String = "", board: String = #"{"address":1,"channels":4}"#,
                        compartment: String = #"{"label":"X","size":"M","board":1,"channel":1}"#) -> String {
        #"{\#(extra)"boards":[\#(board)],"compartments":[\#(compartment)]}"#
    }

    /// The problems `load` reports for `text`; empty when it loads.
    static func problems(_ text: String) -> [String] {
        do {
            _ = try CabinetConfiguration.load(Data(text.utf8), name: "cabinet.json")
            return []
        } catch let error as ConfigurationError {
            return error.problems
        } catch {
            return ["unexpected error: \(error)"]
        }
    }

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theSmallestCabinetLoads() {
        #expect(Self.problems(Self.cabinet()) == [])
    }

    @Test(arguments: [
        (StrictConfigurationTests.cabinet(board: #"{"address":1,"channels":4,"pollMiliseconds":100}"#),
         "boards[0].pollMiliseconds: unknown key; did you mean pollMilliseconds?"),
        (StrictConfigurationTests.cabinet(compartment: #"{"label":"X","size":"M","temperatureclass":"ambient","board":1,"channel":1}"#),
         "compartments[0].temperatureclass: unknown key; did you mean temperatureClass?"),
        (StrictConfigurationTests.cabinet(#""doorAlarmSecond":120,"#),
         "doorAlarmSecond: unknown key; did you mean doorAlarmSeconds?"),
    ])
    func aMisspeltKeyIsTheOneProblemAndNamesTheKeyMeant(text: String, problem: String) {
        #expect(Self.problems(text) == [problem])
    }

    @Test func unknownKeysAreFoundInEveryNestedSection() {
        let text = Self.cabinet(#"""
            "zones":[{"name":"z","compartments":["X"],"lowCelsius":2,"highCelsius":8,"probe":{"kind":"simulated","numbr":1}}],
            "display":{"kind":"file","path":"/run/screen","colums":20},
            "uplink":{"url":"https://central.example.com","pollSecond":30},
            "maintenance":{"maximumClient":4},
            "keypads":[{"name":"k","kind":"matrix","matrix":{"chip":"c","rows":[1,2,3,4],"columns":[5,6,7],"actveLow":true}}],
            "scanners":[{"name":"s","match":{"vendor":"05e0","product":"1200","serail":"S1"}}],
            "buzzer":{"chip":"gpiochip0","line":18,"activLow":false},
            "couriers":[{"id":"1","name":"A","pin":"1234","carier":"X"}],
            """#, compartment: #"{"label":"X","size":"M","temperatureClass":"chilled","board":1,"channel":1}"#)
        #expect(Self.problems(text) == [
            "zones[0].probe.numbr: unknown key; did you mean number?",
            "display.colums: unknown key; did you mean columns?",
            "uplink.pollSecond: unknown key; did you mean pollSeconds?",
            "maintenance.maximumClient: unknown key; did you mean maximumClients?",
            "keypads[0].matrix.actveLow: unknown key; did you mean activeLow?",
            "scanners[0].match.serail: unknown key; did you mean serial?",
            "buzzer.activLow: unknown key; did you mean activeLow?",
            "couriers[0].carier: unknown key; did you mean carrier?",
        ])
    }

    @Test func aGPIOBoardsDoorSensorIsCheckedToo() {
        let board = #"{"address":1,"channels":1,"kind":"gpio","gpio":{"chip":"gpiochip0","#
            + #""channels":[{"latch":17,"doorSensor":{"line":22,"opnWhen":"active"}}]}}"#
        #expect(Self.problems(Self.cabinet(board: board))
                == ["boards[0].gpio.channels[0].doorSensor.opnWhen: unknown key; did you mean openWhen?"])
    }

    @Test func aKeyFarFromEveryKnownOneListsTheKnownKeysInsteadOfGuessing() throws {
        let problems = Self.problems(Self.cabinet(board: #"{"address":1,"channels":4,"colour":"red"}"#))
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.hasPrefix("boards[0].colour: unknown key (known here: address, busAddress, channels,"))
        #expect(!problem.contains("did you mean"))
    }

    @Test func mapsWhoseKeysAreDataAreNotCheckedAsKeys() {
        let text = Self.cabinet(#"""
            "retentionHours":{"ambient":24},
            "scanners":[{"name":"s","kind":"hid","device":"/dev/x","layout":{"21":"zZ"}}],
            "uplink":{"url":"https://central.example.com","credentialKeys":{"k1":"\#(Data(count: 32).base64EncodedString())"}},
            """#)
        #expect(Self.problems(text) == [])
    }

    @Test func aKeyGivenTwiceIsAProblem() {
        let text = Self.cabinet(#""cabinetID":"a",\#n"cabinetID":"b","#)
        #expect(Self.problems(text) == [#"cabinetID: given twice (line 2, column 1); keep one"#])
    }

    @Test func everyProblemIsListedAtOnce() {
        let text = #"{"pickupCodeLength":2,"doorAlarmSecond":1,"boards":[{"address":1,"channels":4,"pollMiliseconds":9}],"compartments":[]}"#
        let problems = Self.problems(text)
        #expect(problems.contains("doorAlarmSecond: unknown key; did you mean doorAlarmSeconds?"))
        #expect(problems.contains("boards[0].pollMiliseconds: unknown key; did you mean pollMilliseconds?"))
        #expect(problems.contains("pickupCodeLength must be 4...12, is 2"))
        #expect(problems.contains("no compartments configured"))
        #expect(problems.count == 4, "\(problems)")
    }

    @Test func aDecodingErrorNamesItsPathBesideTheUnknownKeys() {
        let problems = Self.problems(Self.cabinet(#""doorAlarmSecond":1,"#, board: #"{"address":1,"channel":4}"#))
        #expect(problems == [
            "doorAlarmSecond: unknown key; did you mean doorAlarmSeconds?",
            "boards[0].channel: unknown key; did you mean channels?",
            "boards[0].channels: required but missing",
        ])
        let wrongType = Self.problems(Self.cabinet(board: #"{"address":1,"channels":"4"}"#))
        #expect(wrongType.count == 1 && wrongType[0].hasPrefix("boards[0].channels: "), "\(wrongType)")
    }

    // MARK: Syntax errors

    @Test(arguments: [
        // A missing comma between two members, after comment lines: the comments count as lines.
        ("// a comment\n  // an indented comment\n{\n  \"cabinetID\": \"x\"\n  \"pickupCodeLength\": 6\n}",
         "cabinet.json: line 5, column 3: expected ',' or '}' after the value of \"cabinetID\", found '\"' (is a comma missing?)"),
        ("{ boards: nope", "cabinet.json: line 1, column 3: expected a key in double quotes, found 'boards'"),
        ("{\n  \"cabinetID\": \"x\",\n}", "cabinet.json: line 3, column 1: a comma before '}' is not allowed in JSON"),
        ("{\n  \"boards\": [\n", "cabinet.json: line 3, column 1: expected a value, found end of file"),
        ("{\"cabinetID\": \"x\"", "cabinet.json: line 1, column 18: expected ',' or '}', found end of file (is a '}' missing?)"),
        // Columns count characters: ü is two bytes but one column.
        ("{\"cabinetID\": \"Zürich\" x}", "cabinet.json: line 1, column 24: expected ',' or '}' after the value of \"cabinetID\", found 'x' (is a comma missing?)"),
        ("{\n\"display\": {\"address\": 0x27}}", "cabinet.json: line 2, column 24: '0x27' is not a JSON number (write hex or units as a string, e.g. \"0x27\")"),
        ("{\"cabinetID\": \"x}\n", "cabinet.json: line 1, column 15: a string starting here runs to the end of the line (is a '\"' missing?)"),
        ("{\"a\": True}", "cabinet.json: line 1, column 7: expected a value (object, array, string, number, true, false or null), found 'True'"),
        ("{} {}", "cabinet.json: line 1, column 4: unexpected '{' after the end of the configuration (is a { or [ missing?)"),
    ])
    func aSyntaxErrorNamesItsLineAndColumn(text: String, problem: String) {
        #expect(Self.problems(text) == [problem])
    }

    @Test func commentLinesBecomeSpacesSoOffsetsStay() {
        let text = "// a comment\n  // indented\r\n{\"cabinetID\": \"https://x\" // not a whole-line comment stays\n}"
        let cleaned = String(decoding: CabinetConfiguration.withoutComments(Data(text.utf8)), as: UTF8.self)
        #expect(cleaned.utf8.count == text.utf8.count)
        #expect(cleaned.hasPrefix(String(repeating: " ", count: 12) + "\n" + String(repeating: " ", count: 13) + "\r\n{"))
        #expect(cleaned.contains("\"https://x\" // not a whole-line comment stays"))
    }

    @Test func theParserAgreesWithFoundationOnTheRepositorysFiles() throws {
        let directory = Self.repository.appendingPathComponent("systemd")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.contains("lockerd.example.json"))
        // The package's /etc/lockerd/lockerd.json too: build-deb refuses a package whose file fails.
        for file in files + ["packaging/lockerd.json"] {
            let configuration = try CabinetConfiguration.load(from: directory.appendingPathComponent(file))
            #expect(!configuration.boards.isEmpty, "\(file)")
        }
    }

    // MARK: The key lists

    /// Every optional section filled, so that encoding writes every key and every nested section.
    static var everySection: CabinetConfiguration {
        var configuration = CabinetConfiguration.simulatedDefault
        configuration.boards[0].busAddress = 3
        configuration.boards[0].parity = "even"
        configuration.boards[0].gpio = GPIOLockBoardConfiguration(chip: "c", channels: [
            .init(latch: .offset(1), doorSensor: .init(line: .name("D1"))),
        ])
        configuration.scanners = [.init(name: "s", device: "/dev/s", match: .init(vendor: "05e0", product: "1200", serial: "1"),
                                        layout: ["21": "zZ"])]
        configuration.keypads = [.init(name: "k", kind: "matrix", match: .init(vendor: "05e0", product: "1201"),
                                       matrix: .init(chip: "c", rows: (1...4).map { .offset($0) }, columns: (5...7).map { .offset($0) }))]
        configuration.display = .init(kind: "hd44780-i2c", bus: "/dev/i2c-1", address: 0x27, path: "/run/screen")
        configuration.buzzer = .init(chip: "c", line: .offset(18))
        configuration.zones[0].probe = .init(kind: "ds18b20", id: "28-1", baseDirectory: "/sys", board: 1, number: 2)
        configuration.zones[0].relay = .init(kind: "gpio", chip: "c", line: .offset(4), activeLow: true)
        configuration.maintenance = MaintenanceConfiguration(socketPath: "/s", readOnlyGroup: "r", metricsListen: "127.0.0.1:1")
        var uplink = UplinkConfiguration(url: "https://central.example.com", caFile: "/ca", clientCertificateFile: "/c",
                                         clientKeyFile: "/k")
        uplink.commandPublicKey = "a"
        uplink.credentialKeys = ["k1": "b"]
        uplink.codeSealingKey = "c"
        configuration.uplink = uplink
        return configuration
    }

    /// The key lists are the encoders' too: what the daemon writes (diagnostics bundles, the
    /// server's overrides) reads back unchanged and without an unknown key.
    @Test func everyEncodedKeyIsKnownAndReadsBack() throws {
        let data = try JSONEncoder().encode(Self.everySection)
        let tree = try ConfigurationJSON.parse(Array(data))
        #expect(ConfigurationKeyChecker.problems(in: tree) == [])
        #expect(try JSONDecoder().decode(CabinetConfiguration.self, from: data) == Self.everySection)
    }

    /// Every nested section the configuration encodes has its entry in the checker's schema
    /// (or is declared a map of data), so no section escapes the check.
    @Test func theSchemaCoversEveryNestedSection() throws {
        let tree = try ConfigurationJSON.parse(Array(try JSONEncoder().encode(Self.everySection)))
        var unchecked: [String] = []
        func walk(_ node: ConfigurationJSON, _ section: ConfigurationKeyChecker.Section, _ path: String) {
            switch node.value {
            case .array(let elements): elements.forEach { walk($0, section, path + "[]") }
            case .object(let members):
                for member in members {
                    let memberPath = path.isEmpty ? member.key : path + "." + member.key
                    if let nested = section.nested[member.key] {
                        walk(member.value, nested, memberPath)
                    } else if !section.maps.contains(member.key), Self.holdsObjects(member.value) {
                        unchecked.append(memberPath)
                    }
                }
            default: break
            }
        }
        walk(tree, ConfigurationKeyChecker.schema, "")
        #expect(unchecked == [])
    }

    static func holdsObjects(_ node: ConfigurationJSON) -> Bool {
        switch node.value {
        case .object: true
        case .array(let elements): elements.contains(where: holdsObjects)
        default: false
        }
    }

    @Test func nearMissesAreCorrectedAndFarOnesAreNot() {
        #expect(ConfigurationKeyChecker.editDistance(Array("chanenls"), Array("channels")) == 1)
        #expect(ConfigurationKeyChecker.nearestKey(to: "id", among: ["kind", "name"]) == nil)
        #expect(ConfigurationKeyChecker.nearestKey(to: "BAUD", among: ["baud", "bus"]) == "baud")
        #expect(ConfigurationKeyChecker.nearestKey(to: "hysteresis", among: ["hysteresisCelsius"]) == nil)
    }

    // MARK: The server's overrides

    @Test func theServersConfigurationChangeIsNotSubjectToTheFileRule() throws {
        let changed = try CabinetConfiguration.simulatedDefault.applying(["doorAlarmSeconds": .number(30)])
        #expect(changed.doorAlarmSeconds == 30)
        #expect(throws: CabinetConfiguration.OverrideError.self) {
            try CabinetConfiguration.simulatedDefault.applying(["doorAlarmSecond": .number(30)])
        }
        // The server's names are the file's names: a field it may change is one the file knows.
        let fileKeys = Set(CabinetConfiguration.CodingKeys.allCases.map(\.stringValue))
        #expect(CabinetConfiguration.remotelyChangeable.subtracting(fileKeys).isEmpty)
    }

    // MARK: Keypads need a display

    static let realBoard = #"{"address":1,"channels":4,"kind":"kerong-cu16","device":"/dev/locker/rs485-1"}"#
    static let keypad = #""keypads":[{"name":"k","kind":"hid","device":"/dev/input/event3"}],"#
    static let scanner = #""scanners":[{"name":"s","kind":"serial","device":"/dev/ttyACM0"}],"#

    @Test(arguments: [keypad, scanner])
    func aRealCabinetWherePeopleEnterCodesNeedsADisplay(input: String) {
        let problems = Self.problems(Self.cabinet(input, board: Self.realBoard))
        #expect(problems.count == 1)
        #expect(problems.first?.contains("no display: a courier could never be shown a pickup code") == true, "\(problems)")
    }

    @Test func aScreenProcessOrAnLCDIsADisplay() {
        let screen = #""display":{"kind":"file","path":"/run/lockerd/screen"},"#
        let lcd = #""display":{"kind":"hd44780-i2c","bus":"/dev/i2c-1","address":"0x27"},"#
        #expect(Self.problems(Self.cabinet(Self.keypad + screen, board: Self.realBoard)) == [])
        #expect(Self.problems(Self.cabinet(Self.keypad + lcd, board: Self.realBoard)) == [])
    }

    @Test func theSimulatedCabinetBringsItsOwnDisplay() throws {
        try CabinetConfiguration.simulatedDefault.validate()
        #expect(Self.problems(Self.cabinet(Self.keypad)) == [])
        var simulated = CabinetConfiguration.simulatedDefault
        simulated.keypads = [.init(name: "k", device: "/dev/input/event3")]
        try simulated.validate()
    }

    @Test func aRealCabinetWithoutKeypadsOrScannersNeedsNoDisplay() {
        #expect(Self.problems(Self.cabinet(board: Self.realBoard)) == [])
    }

    // MARK: Partial files

    /// A file is a whole cabinet: one with only an uplink does not run the built-in simulated
    /// cabinet with that uplink, it is refused (README, "Configuration").
    @Test func aFileWithOnlySomeFieldsIsAWholeCabinetWithoutBoards() {
        let problems = Self.problems(#"{"uplink":{"url":"https://central.example.com"}}"#)
        #expect(problems.contains { $0.hasPrefix("no boards configured (a configuration file describes the whole cabinet") })
        #expect(problems.contains("no compartments configured"))
    }

    @Test func fieldsAFileLeavesOutTakeTheirDefaults() throws {
        let configuration = try CabinetConfiguration.load(Data(Self.cabinet().utf8), name: "cabinet.json")
        let defaults = CabinetConfiguration()
        #expect(configuration.doorAlarmSeconds == defaults.doorAlarmSeconds)
        #expect(configuration.retentionHours == defaults.retentionHours)
        #expect(configuration.maintenance == defaults.maintenance)
        #expect(configuration.zones.isEmpty && configuration.couriers.isEmpty && configuration.uplink == nil)
    }

    @Test func theSummaryCountsInTheRightNumber() {
        var configuration = CabinetConfiguration.simulatedDefault
        #expect(configuration.summary == "30 compartments on 2 boards")
        configuration.boards.removeLast()
        configuration.compartments = [configuration.compartments[0]]
        #expect(configuration.summary == "1 compartment on 1 board")
    }
}
