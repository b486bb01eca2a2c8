/// A language a report's text, CSV and chart are worded in. The raw values are the panel's
/// language names (the configuration key `language`: "en", "zh-Hans"), so the cabinet's
/// configured language names a report language too. A separate enum rather than the panel's:
/// this module has no dependencies (lockerctl links it and stays small); a daemon test keeps
/// the two lists equal.
public enum ReportLanguage: String, CaseIterable, Sendable, Codable {
    case english = "en"
    case simplifiedChinese = "zh-Hans"

    /// The language a person or a configuration names, or an error that says which names exist.
    public static func named(_ name: String) throws(ReportLanguageError) -> ReportLanguage {
        guard let language = ReportLanguage(rawValue: name) else { throw ReportLanguageError(name: name) }
        return language
    }
}

/// A language name no report speaks.
public struct ReportLanguageError: Error, Equatable, CustomStringConvertible {
    public let name: String

    public var description: String {
        "unknown report language \"\(name.prefix(32))\": use " + ReportLanguage.allCases.map(\.rawValue).joined(separator: " or ")
    }
}
