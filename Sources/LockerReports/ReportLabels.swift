/// The report's words in every `ReportLanguage`: one table per language from `ReportLabel` to its
/// wording (templates carry `{name}` placeholders). Tables rather than a `switch`, so a test can
/// list what a language lacks; a missing wording falls back to English rather than to nothing.
public enum ReportLabels {
    public static func table(_ language: ReportLanguage) -> [ReportLabel: String] {
        switch language {
        case .english: english
        case .simplifiedChinese: simplifiedChinese
        }
    }

    /// The wording of `label` in `language`, its `{name}` placeholders replaced by `values`.
    public static func text(_ label: ReportLabel, in language: ReportLanguage, _ values: [String: String] = [:]) -> String {
        let template = table(language)[label] ?? english[label] ?? label.rawValue
        guard !values.isEmpty else { return template }
        // One pass over the template: a value that itself holds "{...}" (a carrier's name comes
        // from the server) is never filled in again.
        var text = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let name = String(rest[rest.index(after: open)..<close])
            text += rest[..<open]
            text += values[name] ?? String(rest[open...close])
            rest = rest[rest.index(after: close)...]
        }
        return text + rest
    }

    /// The placeholders a wording has ("{count}" gives "count"), for the test that every language
    /// fills in the same figures.
    public static func placeholders(in text: String) -> Set<String> {
        var names: Set<String> = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.insert(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// A temperature class as the report's data names it ("ambient", ..., "all"), worded; a name
    /// the catalogue does not know is shown as it is.
    static func temperatureClass(_ name: String, in language: ReportLanguage) -> String {
        let label: ReportLabel? = switch name {
        case "ambient": .ambient
        case "chilled": .chilled
        case "frozen": .frozen
        case "heated": .heated
        case "all": .all
        case "unknown": .unknownClass
        default: nil
        }
        return label.map { text($0, in: language) } ?? name
    }
}
