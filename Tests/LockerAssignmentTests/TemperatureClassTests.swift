import LockerAssignment
import Testing

@Suite("TemperatureClass")
struct TemperatureClassTests {
    @Test(arguments: [
        (TemperatureClass.ambient, "ambient"),
        (.chilled, "chilled"),
        (.frozen, "frozen"),
        (.heated, "heated"),
    ])
    func labels(temperatureClass: TemperatureClass, label: String) {
        #expect(temperatureClass.description == label)
        #expect(TemperatureClass(label: label) == temperatureClass)
        #expect(TemperatureClass(label: label.uppercased()) == temperatureClass)
    }

    @Test(arguments: ["", "cold", "warm", "ambient "])
    func unknownLabelsAreRejected(label: String) {
        #expect(TemperatureClass(label: label) == nil)
    }

    @Test func rawValuesAreStable() {
        #expect(TemperatureClass.allCases.map(\.rawValue) == [0, 1, 2, 3])
    }
}
