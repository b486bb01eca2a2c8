import LockerAssignment
import Testing

/// Each rule of `CompartmentAssigner.choose(_:)`, case by case. Every row is also checked
/// against `ReferenceAssigner`, so the table and the reference cannot drift apart.
@Suite("CompartmentAssigner rules")
struct CompartmentAssignerRuleTests {
    static let smallestFit: [AssignmentRuleCase] = [
        .init("S parcel takes the S door, not L or M",
              slots: [free(.l), free(.s), free(.m)],
              request: .init(parcelSize: .s, temperatureClass: .ambient), expected: empty(1)),
        .init("M parcel takes the M door",
              slots: [free(.l), free(.s), free(.m)],
              request: .init(parcelSize: .m, temperatureClass: .ambient), expected: empty(2)),
        .init("XS parcel takes XS over S",
              slots: [free(.s), free(.xs)],
              request: .init(parcelSize: .xs, temperatureClass: .ambient), expected: empty(1)),
        .init("no door of the parcel's size: next size up",
              slots: [free(.xl), free(.m), free(.xs)],
              request: .init(parcelSize: .s, temperatureClass: .ambient), expected: empty(1)),
        .init("XL parcel takes the only XL door",
              slots: [free(.l), free(.xl)],
              request: .init(parcelSize: .xl, temperatureClass: .ambient), expected: empty(1)),
        .init("parcel larger than every free door: nothing",
              slots: [free(.xs), free(.m)],
              request: .init(parcelSize: .l, temperatureClass: .ambient), expected: nil),
        .init("empty station: nothing",
              slots: [],
              request: .init(parcelSize: .xs, temperatureClass: .ambient), expected: nil),
    ]

    static let exactTemperatureClass: [AssignmentRuleCase] = [
        .init("chilled parcel skips ambient and frozen doors, even smaller ones",
              slots: [free(.s), free(.s, .frozen), free(.l, .chilled)],
              request: .init(parcelSize: .s, temperatureClass: .chilled), expected: empty(2)),
        .init("ambient parcel never goes into a heated door",
              slots: [free(.s, .heated), free(.m)],
              request: .init(parcelSize: .s, temperatureClass: .ambient), expected: empty(1)),
        .init("no door of the class: nothing, however many others are free",
              slots: [free(.xl), free(.xl, .chilled), free(.xl, .frozen)],
              request: .init(parcelSize: .xs, temperatureClass: .heated), expected: nil),
    ]

    static let accessibility: [AssignmentRuleCase] = [
        .init("needs accessible: accessible M beats non-accessible S",
              slots: [free(.s), free(.m, accessible: true)],
              request: .init(parcelSize: .s, temperatureClass: .ambient, needsAccessible: true),
              expected: empty(1)),
        .init("needs accessible: smallest accessible door that fits",
              slots: [free(.l, accessible: true), free(.s, accessible: true), free(.s)],
              request: .init(parcelSize: .s, temperatureClass: .ambient, needsAccessible: true),
              expected: empty(1)),
        .init("needs accessible: falls back to non-accessible when no accessible door is free",
              slots: [
                  holding(.s, recipient: 5, used: 2, accessible: true),
                  blocked(.m, accessible: true),
                  free(.xs, accessible: true),
                  free(.l),
                  free(.m),
              ],
              request: .init(parcelSize: .s, temperatureClass: .ambient, needsAccessible: true),
              expected: empty(4)),
        .init("no need: non-accessible XL rather than accessible S (kept free)",
              slots: [free(.s, accessible: true), free(.xl)],
              request: .init(parcelSize: .s, temperatureClass: .ambient), expected: empty(1)),
        .init("no need: accessible door only as a last resort",
              slots: [free(.m, accessible: true), free(.s, accessible: true), free(.xs), blocked(.m)],
              request: .init(parcelSize: .s, temperatureClass: .ambient), expected: empty(1)),
        .init("needs accessible, but accessible doors are all of another class",
              slots: [free(.s, .chilled, accessible: true), free(.l)],
              request: .init(parcelSize: .s, temperatureClass: .ambient, needsAccessible: true),
              expected: empty(1)),
    ]

    static let sharing: [AssignmentRuleCase] = [
        .init("joins the recipient's M (2 of 4 units used) rather than a free S",
              slots: [free(.s), holding(.m, recipient: 42, used: 2)],
              request: .init(parcelSize: .s, temperatureClass: .ambient, recipientKey: 42),
              expected: shared(1)),
        .init("recipient's M is full: a free door instead",
              slots: [free(.s), holding(.m, recipient: 42, used: 4)],
              request: .init(parcelSize: .s, temperatureClass: .ambient, recipientKey: 42),
              expected: empty(0)),
        .init("exactly enough room (3 + 1 of 4) is enough",
              slots: [free(.xs), holding(.m, recipient: 42, used: 3)],
              request: .init(parcelSize: .xs, temperatureClass: .ambient, recipientKey: 42),
              expected: shared(1)),
        .init("one unit short (3 + 2 of 4) is not",
              slots: [free(.s), holding(.m, recipient: 42, used: 3)],
              request: .init(parcelSize: .s, temperatureClass: .ambient, recipientKey: 42),
              expected: empty(0)),
        .init("another recipient's compartment is never shared",
              slots: [holding(.xl, recipient: 7, used: 1), free(.m)],
              request: .init(parcelSize: .s, temperatureClass: .ambient, recipientKey: 42),
              expected: empty(1)),
        .init("unknown recipient (0) never shares, even with an anonymous compartment",
              slots: [holding(.xl, recipient: 0, used: 1), free(.m)],
              request: .init(parcelSize: .s, temperatureClass: .ambient),
              expected: empty(1)),
        .init("recipient's compartment of another class is not shared",
              slots: [holding(.l, recipient: 42, used: 1, .chilled), free(.m)],
              request: .init(parcelSize: .s, temperatureClass: .ambient, recipientKey: 42),
              expected: empty(1)),
        .init("recipient's unavailable (e.g. overdue) compartment is not shared",
              slots: [blocked(.l, recipient: 42, used: 1), free(.m)],
              request: .init(parcelSize: .s, temperatureClass: .ambient, recipientKey: 42),
              expected: empty(1)),
        .init("sharing wins over a free accessible door for someone who needs one",
              slots: [free(.s, accessible: true), holding(.m, recipient: 42, used: 1)],
              request: .init(parcelSize: .s, temperatureClass: .ambient, needsAccessible: true, recipientKey: 42),
              expected: shared(1)),
        .init("several to share: smallest size first",
              slots: [
                  holding(.xl, recipient: 42, used: 2),
                  holding(.l, recipient: 42, used: 2),
                  holding(.s, recipient: 42, used: 2),
              ],
              request: .init(parcelSize: .xs, temperatureClass: .ambient, recipientKey: 42),
              expected: shared(1)),
        .init("several to share of one size: least worn, then lowest index",
              slots: [
                  holding(.m, recipient: 42, used: 1, cycles: 9),
                  holding(.m, recipient: 42, used: 1, cycles: 4),
                  holding(.m, recipient: 42, used: 1, cycles: 4),
              ],
              request: .init(parcelSize: .xs, temperatureClass: .ambient, recipientKey: 42),
              expected: shared(1)),
        .init("sharing respects the minimum size of a larger-door request",
              slots: [holding(.m, recipient: 42, used: 1), holding(.l, recipient: 42, used: 1), free(.l)],
              request: .init(parcelSize: .s, temperatureClass: .ambient, recipientKey: 42,
                             minimumCompartmentSize: .l),
              expected: shared(1)),
        .init("sharing never picks the excluded slot",
              slots: [holding(.l, recipient: 42, used: 1), free(.xl)],
              request: .init(parcelSize: .s, temperatureClass: .ambient, recipientKey: 42,
                             excludedSlot: 0),
              expected: empty(1)),
    ]

    static let largerDoor: [AssignmentRuleCase] = [
        .init("larger door: next size above the current S",
              slots: [free(.s), free(.s), free(.m), free(.l)],
              request: .init(parcelSize: .s, temperatureClass: .ambient,
                             minimumCompartmentSize: .m, excludedSlot: 0),
              expected: empty(2)),
        .init("larger door: free S doors do not count",
              slots: [free(.s), free(.s), free(.xl)],
              request: .init(parcelSize: .s, temperatureClass: .ambient,
                             minimumCompartmentSize: .m, excludedSlot: 1),
              expected: empty(2)),
        .init("excluded slot is skipped even when least worn of its size",
              slots: [free(.m, cycles: 0), free(.m, cycles: 50)],
              request: .init(parcelSize: .m, temperatureClass: .ambient, excludedSlot: 0),
              expected: empty(1)),
        .init("excluded slot was the only fit: nothing",
              slots: [free(.m), free(.s)],
              request: .init(parcelSize: .m, temperatureClass: .ambient, excludedSlot: 0),
              expected: nil),
        .init("minimum below the parcel's size does not shrink the door",
              slots: [free(.xs), free(.s), free(.m)],
              request: .init(parcelSize: .m, temperatureClass: .ambient, minimumCompartmentSize: .xs),
              expected: empty(2)),
        .init("no larger door left: nothing",
              slots: [free(.m), free(.m)],
              request: .init(parcelSize: .m, temperatureClass: .ambient,
                             minimumCompartmentSize: .l, excludedSlot: 0),
              expected: nil),
    ]

    static let neverChosen: [AssignmentRuleCase] = [
        .init("unavailable door is skipped for a larger free one",
              slots: [blocked(.s), free(.m)],
              request: .init(parcelSize: .s, temperatureClass: .ambient), expected: empty(1)),
        .init("only unavailable doors: nothing",
              slots: [blocked(.s), blocked(.m, accessible: true), blocked(.xl)],
              request: .init(parcelSize: .xs, temperatureClass: .ambient), expected: nil),
        .init("occupied door without sharing is not an empty door",
              slots: [holding(.m, recipient: 3, used: 1), free(.l)],
              request: .init(parcelSize: .s, temperatureClass: .ambient), expected: empty(1)),
        .init("everything occupied by others: nothing",
              slots: [holding(.m, recipient: 3, used: 1), holding(.l, recipient: 4, used: 0)],
              request: .init(parcelSize: .s, temperatureClass: .ambient, recipientKey: 5), expected: nil),
    ]

    static let tieBreaks: [AssignmentRuleCase] = [
        .init("same size: fewest latch cycles",
              slots: [free(.s, cycles: 30), free(.s, cycles: 10), free(.s, cycles: 20)],
              request: .init(parcelSize: .s, temperatureClass: .ambient), expected: empty(1)),
        .init("same size and wear: lowest index",
              slots: [free(.s, cycles: 5), free(.s, cycles: 3), free(.s, cycles: 3)],
              request: .init(parcelSize: .s, temperatureClass: .ambient), expected: empty(1)),
        .init("size beats wear: a worn S before a new M",
              slots: [free(.m, cycles: 0), free(.s, cycles: 90_000)],
              request: .init(parcelSize: .s, temperatureClass: .ambient), expected: empty(1)),
        .init("accessibility beats wear: a worn non-accessible door before a new accessible one",
              slots: [free(.s, accessible: true, cycles: 0), free(.s, cycles: 90_000)],
              request: .init(parcelSize: .s, temperatureClass: .ambient), expected: empty(1)),
    ]

    @Test(arguments: smallestFit + exactTemperatureClass)
    func sizeAndClass(_ row: AssignmentRuleCase) {
        check(row)
    }

    @Test(arguments: accessibility)
    func accessibleDoors(_ row: AssignmentRuleCase) {
        check(row)
    }

    @Test(arguments: sharing)
    func sharingWithTheSameRecipient(_ row: AssignmentRuleCase) {
        check(row)
    }

    @Test(arguments: largerDoor)
    func largerDoorRequests(_ row: AssignmentRuleCase) {
        check(row)
    }

    @Test(arguments: neverChosen)
    func unavailableAndOccupiedDoors(_ row: AssignmentRuleCase) {
        check(row)
    }

    @Test(arguments: tieBreaks)
    func tieBreaksBetweenEqualDoors(_ row: AssignmentRuleCase) {
        check(row)
    }

    private func check(_ row: AssignmentRuleCase) {
        let assigner = CompartmentAssigner(slots: row.slots)
        #expect(assigner.choose(row.request) == row.expected)
        #expect(ReferenceAssigner.choose(row.request, in: row.slots) == row.expected)
    }
}
