/// Why a scanned or keyed tracking number is not taken.
public enum TrackingNumberProblem: Sendable, Equatable {
    case tooShort
    case tooLong
    case badCharacters
    /// The parcel is in custody here already, in this door.
    case alreadyInside(label: String)
    /// The parcel is being deposited right now, in this door.
    case beingDeposited(label: String)

    /// Tracking numbers are printed barcodes: 4–40 characters of letters, digits and `-`.
    public static func of(_ text: String) -> TrackingNumberProblem? {
        if text.count < 4 { return .tooShort }
        if text.count > 40 { return .tooLong }
        if !text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) { return .badCharacters }
        return nil
    }
}
