import LockerAssignment
import Testing

/// `update(slot:to:)` must keep the assigner's indexes in step with its table: after any update,
/// `choose` answers as if the assigner had been built from scratch on the new table.
@Suite("CompartmentAssigner updates")
struct CompartmentAssignerUpdateTests {
    private let sRequest = AssignmentRequest(parcelSize: .s, temperatureClass: .ambient)

    @Test func tableAccessorsReflectUpdates() {
        var assigner = CompartmentAssigner(slots: [free(.s), free(.m)])
        #expect(assigner.slotCount == 2)
        #expect(assigner.slot(at: 1) == free(.m))
        let changed = holding(.m, recipient: 8, used: 2, cycles: 1)
        assigner.update(slot: 1, to: changed)
        #expect(assigner.slot(at: 1) == changed)
        #expect(assigner.slot(at: 0) == free(.s))
        #expect(assigner.slotCount == 2)
    }

    @Test func fillingADoorTakesItOutOfTheEmptyDoors() {
        var assigner = CompartmentAssigner(slots: [free(.s), free(.s)])
        #expect(assigner.choose(sRequest) == empty(0))
        assigner.update(slot: 0, to: holding(.s, recipient: 9, used: 2))
        #expect(assigner.choose(sRequest) == empty(1))
        assigner.update(slot: 1, to: holding(.s, recipient: 10, used: 2))
        #expect(assigner.choose(sRequest) == nil)
    }

    @Test func emptyingADoorMakesItAvailableAgain() {
        var assigner = CompartmentAssigner(slots: [holding(.s, recipient: 9, used: 2), free(.l)])
        #expect(assigner.choose(sRequest) == empty(1))
        assigner.update(slot: 0, to: free(.s, cycles: 1))
        #expect(assigner.choose(sRequest) == empty(0))
    }

    @Test func latchWearReordersDoorsOfOneSize() {
        var assigner = CompartmentAssigner(slots: [free(.s), free(.s), free(.s)])
        #expect(assigner.choose(sRequest) == empty(0))
        assigner.update(slot: 0, to: free(.s, cycles: 2))
        #expect(assigner.choose(sRequest) == empty(1))
        assigner.update(slot: 1, to: free(.s, cycles: 1))
        #expect(assigner.choose(sRequest) == empty(2))
        assigner.update(slot: 2, to: free(.s, cycles: 5))
        #expect(assigner.choose(sRequest) == empty(1))
    }

    @Test func changingKindMovesTheDoorBetweenBuckets() {
        var assigner = CompartmentAssigner(slots: [free(.s), free(.xl)])
        // Reconfigured as a chilled door: no longer an ambient one.
        assigner.update(slot: 0, to: free(.s, .chilled))
        #expect(assigner.choose(sRequest) == empty(1))
        #expect(assigner.choose(.init(parcelSize: .xs, temperatureClass: .chilled)) == empty(0))
        // Made accessible: now kept free for those who need it.
        assigner.update(slot: 1, to: free(.xl, accessible: true))
        assigner.update(slot: 0, to: free(.m))
        #expect(assigner.choose(sRequest) == empty(0))
        #expect(assigner.choose(.init(parcelSize: .s, temperatureClass: .ambient, needsAccessible: true)) == empty(1))
    }

    @Test func disablingAndReenablingADoor() {
        var assigner = CompartmentAssigner(slots: [free(.s), free(.m)])
        assigner.update(slot: 0, to: blocked(.s))
        #expect(assigner.choose(sRequest) == empty(1))
        assigner.update(slot: 0, to: free(.s))
        #expect(assigner.choose(sRequest) == empty(0))
    }

    @Test func sharingFollowsTheRecipientAndTheRoomLeft() {
        var assigner = CompartmentAssigner(slots: [free(.s), holding(.l, recipient: 1, used: 2)])
        let forOne = AssignmentRequest(parcelSize: .m, temperatureClass: .ambient, recipientKey: 1)
        let forTwo = AssignmentRequest(parcelSize: .m, temperatureClass: .ambient, recipientKey: 2)
        #expect(assigner.choose(forOne) == shared(1))
        #expect(assigner.choose(forTwo) == nil)

        // The parcels inside now belong to recipient 2 (e.g. re-addressed).
        assigner.update(slot: 1, to: holding(.l, recipient: 2, used: 2))
        #expect(assigner.choose(forOne) == nil)
        #expect(assigner.choose(forTwo) == shared(1))

        // Filled up: no room for an M (4 units) any more, but still for an S (2 units).
        assigner.update(slot: 1, to: holding(.l, recipient: 2, used: 6))
        #expect(assigner.choose(forTwo) == nil)
        #expect(assigner.choose(.init(parcelSize: .s, temperatureClass: .ambient, recipientKey: 2)) == shared(1))

        // Overdue: not shared although it has room, and not empty either.
        assigner.update(slot: 1, to: blocked(.l, recipient: 2, used: 2))
        #expect(assigner.choose(forTwo) == nil)
        #expect(assigner.choose(.init(parcelSize: .s, temperatureClass: .ambient, recipientKey: 2)) == empty(0))

        // Collected: an empty door again, shared by nobody.
        assigner.update(slot: 1, to: free(.l))
        #expect(assigner.choose(forTwo) == empty(1))
    }

    @Test func aRecipientWithSeveralCompartmentsLosesOneAtATime() {
        var assigner = CompartmentAssigner(slots: [
            holding(.m, recipient: 4, used: 1),
            holding(.s, recipient: 4, used: 1),
            holding(.l, recipient: 4, used: 1),
        ])
        let request = AssignmentRequest(parcelSize: .xs, temperatureClass: .ambient, recipientKey: 4)
        #expect(assigner.choose(request) == shared(1))
        assigner.update(slot: 1, to: free(.s))
        #expect(assigner.choose(request) == shared(0))
        assigner.update(slot: 0, to: free(.m))
        #expect(assigner.choose(request) == shared(2))
        assigner.update(slot: 2, to: free(.l))
        #expect(assigner.choose(request) == empty(1))
    }

    @Test func updatingToTheSameValueChangesNothing() {
        var assigner = CompartmentAssigner(slots: [free(.s, cycles: 3), free(.s, cycles: 3)])
        assigner.update(slot: 0, to: free(.s, cycles: 3))
        assigner.update(slot: 0, to: free(.s, cycles: 3))
        #expect(assigner.choose(sRequest) == empty(0))
        assigner.update(slot: 0, to: free(.s, cycles: 4))
        #expect(assigner.choose(sRequest) == empty(1))
    }

    @Test func copiesAreIndependent() {
        let original = CompartmentAssigner(slots: [free(.s), free(.s)])
        var copy = original
        copy.update(slot: 0, to: blocked(.s))
        #expect(original.choose(sRequest) == empty(0))
        #expect(copy.choose(sRequest) == empty(1))
    }
}
