import LockerAssignment
import Testing

@Suite("AssignmentRequest and CompartmentSlot defaults")
struct AssignmentRequestTests {
    @Test func requestDefaultsDescribeAPlainDropOff() {
        let request = AssignmentRequest(parcelSize: .m, temperatureClass: .frozen)
        #expect(request.minimumCompartmentSize == .m)
        #expect(request.needsAccessible == false)
        #expect(request.recipientKey == 0)
        #expect(request.excludedSlot == -1)
    }

    @Test func explicitMinimumIsKept() {
        let request = AssignmentRequest(
            parcelSize: .s, temperatureClass: .ambient, minimumCompartmentSize: .l, excludedSlot: 3
        )
        #expect(request.minimumCompartmentSize == .l)
        #expect(request.excludedSlot == 3)
    }

    @Test func slotDefaultsDescribeAnEmptyNewDoor() {
        let slot = CompartmentSlot(size: .xl, temperatureClass: .chilled, isAccessible: true)
        #expect(slot.availability == .available)
        #expect(slot.usedUnits == 0)
        #expect(slot.recipientKey == 0)
        #expect(slot.latchCycles == 0)
    }
}
