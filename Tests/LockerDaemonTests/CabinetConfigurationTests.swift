import Foundation
@testable import LockerDaemon
import Testing

/// A configuration mistake is a list of clear problems, never a crash or a silent default.
@Suite struct CabinetConfigurationTests {
    @Test func theBuiltInSimulatedCabinetIsValid() throws {
        try CabinetConfiguration.simulatedDefault.validate()
        #expect(CabinetConfiguration.simulatedDefault.layout().count == 30)
    }

    @Test(arguments: [
        (#"{"boards":[{"address":1,"channels":0}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]}"#,
         "channels must be 1...64"),
        (#"{"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"XXL","board":1,"channel":1}]}"#,
         "unknown size"),
        (#"{"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":2,"channel":1}]}"#,
         "board 2, which is not configured"),
        (#"{"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":9}]}"#,
         "not 9"),
        (#"{"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1},{"label":"x","size":"S","board":1,"channel":2}]}"#,
         "used twice"),
        (#"{"retentionHours":{"chilled":-1},"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]}"#,
         "retentionHours.chilled"),
        (#"{"maximumLockoutSeconds":1e300,"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]}"#,
         "lockout seconds"),
        (#"{"boards":[{"address":1,"channels":4}],"compartments":[{"label":"~1","size":"M","board":1,"channel":1}]}"#,
         "not starting with ~"),
        (#"{"couriers":[{"id":"9","name":"Z","pin":"12"}],"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]}"#,
         "PIN must be 4...12 digits"),
        (#"{"scanners":[{"name":"a","kind":"hid"}],"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]}"#,
         "scanner \"a\": give a device path or a match"),
        (#"{"scanners":[{"name":"a","kind":"usb","device":"/dev/x"}],"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]}"#,
         "kind must be serial or hid"),
        (#"{"scanners":[{"name":"a","match":{"vendor":"5e0","product":"1200"}}],"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]}"#,
         "4 hex digits"),
        (#"{"scanners":[{"name":"a","kind":"hid","device":"/dev/x","layout":{"21":"z"}}],"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]}"#,
         "must map a key code to two characters"),
        (#"{"keypads":[{"name":"k","kind":"matrix","matrix":{"chip":"gpiochip0","rows":[1,2,3],"columns":[4,5,6]}}],"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]}"#,
         "has 4 rows and 3 columns"),
        (#"{"keypads":[{"name":"k","kind":"matrix"}],"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]}"#,
         "needs its matrix"),
        (#"{"display":{"kind":"hd44780-i2c","bus":"/dev/i2c-1","address":"0x99"},"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]}"#,
         "0x03...0x77"),
        (#"{"display":{"kind":"hd44780-i2c","bus":"/dev/i2c-1","address":"0x27","columns":50,"rows":3},"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]}"#,
         "not a size an HD44780 drives"),
        (#"{"display":{"kind":"file"},"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]}"#,
         "needs its path"),
        (#"{"display":{"kind":"hd44780-i2c","bus":"/dev/i2c-1","address":"zz"},"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]}"#,
         "is not an I2C address like 0x27"),
        (#"{"zones":[{"name":"z","compartments":["X"],"lowCelsius":2,"highCelsius":8}],"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]}"#,
         "ambient compartments need no zone"),
        (#"{"zones":[{"name":"z","compartments":["X"],"lowCelsius":8,"highCelsius":2}],"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","temperatureClass":"chilled","board":1,"channel":1}]}"#,
         "lowCelsius must be below highCelsius"),
        (#"{"zones":[{"name":"z","compartments":["Y"],"lowCelsius":2,"highCelsius":8}],"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","temperatureClass":"chilled","board":1,"channel":1}]}"#,
         "compartment Y is not configured"),
        (#"{"zones":[{"name":"z","compartments":["X"],"lowCelsius":2,"highCelsius":8,"sampleSeconds":300}],"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","temperatureClass":"chilled","board":1,"channel":1}]}"#,
         "sampleSeconds must be 1...60"),
        (#"{"zones":[{"name":"z","compartments":["X"],"lowCelsius":2,"highCelsius":8,"probe":{"kind":"ds18b20"}}],"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","temperatureClass":"chilled","board":1,"channel":1}]}"#,
         "needs its id"),
        (#"{"zones":[{"name":"z","compartments":["X","W"],"lowCelsius":2,"highCelsius":8},{"name":"y","compartments":["X"],"lowCelsius":2,"highCelsius":8}],"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","temperatureClass":"chilled","board":1,"channel":1},{"label":"W","size":"M","temperatureClass":"frozen","board":1,"channel":2}]}"#,
         "already in zone"),
        (#"{"zones":[{"name":"z","compartments":["X"],"lowCelsius":2,"highCelsius":8}],"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","temperatureClass":"chilled","board":1,"channel":1},{"label":"W","size":"M","temperatureClass":"frozen","board":1,"channel":2}]}"#,
         "compartment W is frozen but in no zone"),
        (#"{"zones":[{"name":"z","compartments":["X"],"lowCelsius":2,"highCelsius":8,"probe":{"kind":"ds18b20","id":"28-1"}}],"boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","temperatureClass":"chilled","board":1,"channel":1}]}"#,
         "must both be real or both simulated"),
        (#"{"zones":[{"name":"z","compartments":["X"],"lowCelsius":2,"highCelsius":8}],"boards":[{"address":1,"channels":4,"kind":"gpio"}],"compartments":[{"label":"X","size":"M","temperatureClass":"chilled","board":1,"channel":1}]}"#,
         "belongs to the simulated cabinet only"),
    ])
    func problemsAreNamed(json: String, problem: String) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lockerd-config-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try CabinetConfiguration.load(from: url)
            Issue.record("accepted an invalid configuration")
        } catch let error as ConfigurationError {
            #expect(error.problems.contains { $0.contains(problem) }, "\(error.problems)")
        }
    }

    static let example = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("systemd/lockerd.example.json")

    @Test func theCommentedExampleForARealCabinetIsValid() throws {
        let configuration = try CabinetConfiguration.load(from: Self.example)
        #expect(configuration.boards.map(\.kind) == ["kerong-cu16", "kerong-cu16", "eight-a", "gpio"])
        #expect(configuration.boards.map(\.wireAddress) == [0, 1, 1, 4])
        #expect(configuration.boards.map(\.effectiveBaud) == [19_200, 19_200, 9_600, 115_200])
        #expect(configuration.compartments.count == 39)
        #expect(configuration.boards[3].gpio?.channels.count == 3)
        #expect(configuration.scanners.map(\.kind) == ["serial", "hid"])
        #expect(configuration.scanners[1].match == .init(vendor: "05e0", product: "1200", serial: "S19284"))
        #expect(configuration.keypads.first?.matrix?.columns.count == 3)
        #expect(configuration.display == .init(kind: "hd44780-i2c", bus: "/dev/i2c-1", address: 0x27, columns: 20, rows: 4))
        #expect(configuration.buzzer == .init(chip: "gpiochip0", line: .offset(18)))
        #expect(configuration.zones.map(\.name) == ["chilled-b", "frozen-c", "heated-c"])
        #expect(configuration.zones[1].relayOnWhenProbeFaulty && configuration.zones[1].graceSeconds == 900)
        #expect(configuration.zones[2].relay == .init(kind: "gpio", chip: "gpiochip0", line: .offset(25)))
    }

    @Test func theSimulatedSerialCabinetMatchesTheBuiltInLayout() throws {
        let url = Self.example.deletingLastPathComponent().appendingPathComponent("lockerd.simulated-serial.json")
        let configuration = try CabinetConfiguration.load(from: url)
        #expect(configuration.compartments == CabinetConfiguration.simulatedDefault.compartments)
        #expect(configuration.boards.map(\.kind) == ["simulated-kerong-cu16", "simulated-own-protocol"])
    }

    @Test func aFileThatIsNotJSONSaysWhere() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lockerd-config-\(UUID().uuidString).json")
        try Data("{ boards: nope".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: ConfigurationError.self) { try CabinetConfiguration.load(from: url) }
    }
}
