/// A language the panel speaks. The raw value is the configuration's and the catalogue's name
/// (a BCP 47 tag: "en", "zh-Hans").
public enum PanelLanguage: String, CaseIterable, Sendable, Codable {
    case english = "en"
    case simplifiedChinese = "zh-Hans"

    /// What goes between two parts of a message run together as one line of text: English words
    /// are separated by spaces, Chinese sentences are not.
    public var partSeparator: String {
        switch self {
        case .english: " "
        case .simplifiedChinese: ""
        }
    }

    /// The next language when a person asks the panel for another one (the language key).
    public var next: PanelLanguage {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}
