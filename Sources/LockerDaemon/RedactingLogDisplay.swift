public import LockerHAL
public import Logging

/// The display of a cabinet that has none configured (a bench set-up, a cabinet whose screen is
/// not wired yet): each message goes to the log as `display: ...`, so a technician can follow the
/// panel in the journal. The journal is read by more people than the display and kept far longer,
/// so no secret may reach it: every run of four or more digits is masked with one `*` per digit
/// ("Deposited in A03. Pickup code ******. Scan the next parcel.").
///
/// Pickup codes are 4 to 12 digits (see `CabinetConfiguration.validate`); courier PINs are never
/// displayed, but a failure text could quote anything typed. The display protocol carries text,
/// not the message's structure, so the masking works on the text: it also hides the digits of a
/// tracking number or courier ID, which is the safe side to err on.
public struct RedactingLogDisplay: Display {
    /// The shortest digit run that is masked: the shortest pickup code.
    public static let shortestSecret = 4

    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func show(_ text: String) async {
        logger.info("display: \(Self.redacted(text))")
    }

    /// `text` with every run of at least `shortestSecret` ASCII digits replaced by as many `*`.
    public static func redacted(_ text: String) -> String {
        var result = ""
        var digits = ""
        func flush() {
            result += digits.count >= shortestSecret ? String(repeating: "*", count: digits.count) : digits
            digits = ""
        }
        for character in text {
            if character.isASCII && character.isNumber {
                digits.append(character)
            } else {
                flush()
                result.append(character)
            }
        }
        flush()
        return result
    }
}
