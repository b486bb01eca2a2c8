import LockerAssignment
import Testing

/// One row of the rule tables: a cabinet, a request, and the answer the rules demand.
struct AssignmentRuleCase: Sendable, CustomTestStringConvertible {
    let name: String
    let slots: [CompartmentSlot]
    let request: AssignmentRequest
    let expected: Assignment?

    var testDescription: String { name }

    init(_ name: String, slots: [CompartmentSlot], request: AssignmentRequest, expected: Assignment?) {
        self.name = name
        self.slots = slots
        self.request = request
        self.expected = expected
    }
}

// Short builders so that each table row reads as a picture of the cabinet.

/// An empty, usable ambient compartment.
func free(
    _ size: CompartmentSize,
    _ temperatureClass: TemperatureClass = .ambient,
    accessible: Bool = false,
    cycles: UInt32 = 0
) -> CompartmentSlot {
    CompartmentSlot(size: size, temperatureClass: temperatureClass, isAccessible: accessible, latchCycles: cycles)
}

/// A compartment holding parcels of `recipient` that take `used` capacity units.
func holding(
    _ size: CompartmentSize,
    recipient: UInt64,
    used: UInt8,
    _ temperatureClass: TemperatureClass = .ambient,
    accessible: Bool = false,
    cycles: UInt32 = 0
) -> CompartmentSlot {
    CompartmentSlot(
        size: size,
        temperatureClass: temperatureClass,
        isAccessible: accessible,
        availability: .occupied,
        usedUnits: used,
        recipientKey: recipient,
        latchCycles: cycles
    )
}

/// A compartment that must never be chosen (reserved, quarantined, board down, ...).
func blocked(
    _ size: CompartmentSize,
    _ temperatureClass: TemperatureClass = .ambient,
    accessible: Bool = false,
    recipient: UInt64 = 0,
    used: UInt8 = 0
) -> CompartmentSlot {
    CompartmentSlot(
        size: size,
        temperatureClass: temperatureClass,
        isAccessible: accessible,
        availability: .unavailable,
        usedUnits: used,
        recipientKey: recipient
    )
}

func empty(_ slot: Int32) -> Assignment {
    Assignment(slot: slot, isShared: false)
}

func shared(_ slot: Int32) -> Assignment {
    Assignment(slot: slot, isShared: true)
}
