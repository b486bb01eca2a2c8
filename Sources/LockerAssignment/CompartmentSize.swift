/// The door sizes a cabinet is built from, smallest first.
///
/// The raw values are stable (they are stored and compared), and the order of the cases is the
/// order of size: `CompartmentSize.xs < .s < .m < .l < .xl`.
public enum CompartmentSize: UInt8, CaseIterable, Sendable, Comparable, Codable, CustomStringConvertible {
    case xs = 0, s, m, l, xl

    public static func < (lhs: CompartmentSize, rhs: CompartmentSize) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// The label printed on doors and used in configuration: "XS", "S", "M", "L", "XL".
    public var description: String {
        switch self {
        case .xs: "XS"
        case .s: "S"
        case .m: "M"
        case .l: "L"
        case .xl: "XL"
        }
    }

    /// Parses a size label ("XS", "s", "Xl", ...), ignoring case. Returns nil for anything else.
    public init?(label: String) {
        let wanted = label.uppercased()
        for size in CompartmentSize.allCases where size.description == wanted {
            self = size
            return
        }
        return nil
    }

    /// How much room this size offers, in units where an XS compartment holds one unit.
    ///
    /// A parcel classified as size `k` takes `k.capacityUnits` units, so an L compartment holds one
    /// L parcel, or two M parcels, or an M and two S parcels, and so on. Each size doubles the
    /// previous one, which is roughly how door heights grow on real lockers.
    public var capacityUnits: UInt8 {
        1 << rawValue
    }

    /// Usable inner dimensions of a compartment of this size, in millimetres.
    ///
    /// All sizes share the column width and depth of a standard locker module; only the door
    /// height changes. These are nominal figures for sizing parcels at drop-off, not a promise
    /// about any particular cabinet model.
    public var innerDimensionsMillimetres: (width: Int, height: Int, depth: Int) {
        switch self {
        case .xs: (width: 410, height: 80, depth: 600)
        case .s: (width: 410, height: 190, depth: 600)
        case .m: (width: 410, height: 290, depth: 600)
        case .l: (width: 410, height: 410, depth: 600)
        case .xl: (width: 410, height: 600, depth: 600)
        }
    }
}
