/// How pickup codes look and how they are drawn.
///
/// Codes are drawn from a cryptographically secure generator (the caller passes one; production uses
/// `SystemRandomNumberGenerator`, which reads the kernel's CSPRNG) and are never stored in clear:
/// the store keeps only a keyed hash (see `PickupCodeHasher`).
public struct PickupCodePolicy: Sendable, Equatable {
    /// Digits in a code. Eight by default: with the default lockout (at most 77 wrong codes a day)
    /// guessing any one of 30 occupied doors' codes takes 118 years on average; six digits gave
    /// less than one year (README, "Access: the lockout and the guessing arithmetic").
    public var length: Int

    public init(length: Int = 8) {
        precondition((4...12).contains(length), "pickup code length must be 4...12")
        self.length = length
    }

    /// Draws one code: `length` uniformly random decimal digits (leading zeros allowed).
    public func draw(using generator: inout some RandomNumberGenerator) -> String {
        var digits = ""
        digits.reserveCapacity(length)
        for _ in 0..<length {
            digits.append(Character(String(UInt8.random(in: 0...9, using: &generator))))
        }
        return digits
    }

    /// Draws codes until `isTaken` says one is free among the live parcels. With a million codes and
    /// a few thousand live ones, more than a few draws never happens; the bound turns an impossible
    /// endless loop into an error the caller reports.
    public func drawUnique(
        using generator: inout some RandomNumberGenerator, isTaken: (String) -> Bool
    ) -> String? {
        for _ in 0..<1_000 {
            let code = draw(using: &generator)
            if !isTaken(code) { return code }
        }
        return nil
    }

    public func isWellFormed(_ text: String) -> Bool {
        text.count == length && text.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

/// Turns a code into the keyed hash the store keeps. The key lives outside the database, so a copied
/// database alone does not reveal codes (six digits are trivially brute-forced from a plain hash).
public protocol PickupCodeHasher: Sendable {
    func hash(code: String) -> String
}
