import Foundation
@testable import LockerCore
import Testing

/// A lost device key: every live code is replaced by an unmatchable marker and one event lists
/// the parcels, so the server can issue new codes; the old code typed afterwards opens nothing.
@Suite struct CodeInvalidationTests {
    static let machine = CustodyStateMachineTests.machine

    @Test func everyLiveCodeIsMarkedAndTheParcelsAreListed() throws {
        var model = CustodyStateMachineTests.cabinet()
        let change = Self.machine.codesInvalidated(reason: "lost", in: model)
        #expect(change.compartments.map(\.compartment.id) == [1])
        #expect(change.compartments.first?.codeHash == "invalidated:1")
        let event = try #require(change.events.first)
        #expect(event.kind == .codesInvalidated)
        #expect(event.payload["parcel_ids"] == .ints([7]))
        #expect(event.payload["tracking_numbers"] == .strings(["T7"]))
        #expect(event.payload["doors"] == .strings(["A02"]))
        model.apply(change)
        #expect(model.codeIsInvalidated(compartment: 1))
        #expect(!model.codeIsInvalidated(compartment: 0))

        // The old code no longer opens the door; it counts as a wrong code.
        let typed = Self.machine.codeEntered(codeHash: "h:111111", in: model, now: CustodyStateMachineTests.t0)
        #expect(typed.latch == nil)
        #expect(typed.attemptGuard?.consecutiveFailures == 1)
    }

    @Test func aSecondInvalidationChangesNoRow() {
        var model = CustodyStateMachineTests.cabinet()
        model.apply(Self.machine.codesInvalidated(reason: "lost", in: model))
        let again = Self.machine.codesInvalidated(reason: "lost", in: model)
        #expect(again.compartments.isEmpty)
        #expect(again.events.first?.payload["parcel_ids"] == .ints([]))
    }
}
