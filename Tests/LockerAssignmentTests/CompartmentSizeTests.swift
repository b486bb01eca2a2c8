import LockerAssignment
import Testing

@Suite("CompartmentSize")
struct CompartmentSizeTests {
    @Test(arguments: [
        (CompartmentSize.xs, "XS", UInt8(1)),
        (.s, "S", 2),
        (.m, "M", 4),
        (.l, "L", 8),
        (.xl, "XL", 16),
    ])
    func labelsAndCapacity(size: CompartmentSize, label: String, units: UInt8) {
        #expect(size.description == label)
        #expect(size.capacityUnits == units)
        #expect(CompartmentSize(label: label) == size)
        #expect(CompartmentSize(label: label.lowercased()) == size)
    }

    @Test(arguments: ["xL", "Xs", "m"])
    func labelsIgnoreCase(label: String) {
        #expect(CompartmentSize(label: label)?.description == label.uppercased())
    }

    @Test(arguments: ["", "XXL", "medium", " M", "X"])
    func unknownLabelsAreRejected(label: String) {
        #expect(CompartmentSize(label: label) == nil)
    }

    @Test func casesAreInSizeOrder() {
        #expect(CompartmentSize.allCases == [.xs, .s, .m, .l, .xl])
        #expect(CompartmentSize.allCases.sorted() == CompartmentSize.allCases)
        #expect(CompartmentSize.xs < .xl)
        #expect(max(CompartmentSize.s, .l) == .l)
    }

    @Test func capacityDoublesAndHoldsSmallerParcels() {
        for (smaller, larger) in zip(CompartmentSize.allCases, CompartmentSize.allCases.dropFirst()) {
            #expect(larger.capacityUnits == 2 * smaller.capacityUnits)
        }
    }

    @Test func dimensionsGrowWithSize() {
        for (smaller, larger) in zip(CompartmentSize.allCases, CompartmentSize.allCases.dropFirst()) {
            let small = smaller.innerDimensionsMillimetres
            let large = larger.innerDimensionsMillimetres
            #expect(large.height > small.height)
            #expect(large.width >= small.width && large.depth >= small.depth)
        }
        let xl = CompartmentSize.xl.innerDimensionsMillimetres
        #expect(xl.width == 410 && xl.height == 600 && xl.depth == 600)
        let xs = CompartmentSize.xs.innerDimensionsMillimetres
        #expect(xs.width == 410 && xs.height == 80 && xs.depth == 600)
    }

    @Test func rawValuesAreStable() {
        // Stored in the database: changing them would reinterpret existing rows.
        #expect(CompartmentSize.allCases.map(\.rawValue) == [0, 1, 2, 3, 4])
    }
}
