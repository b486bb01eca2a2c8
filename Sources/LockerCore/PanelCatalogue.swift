/// The panel's words: every `PanelMessage` in every `PanelLanguage`, in the parts a character
/// display lays out (see `PanelText`).
///
/// Written as one exhaustive `switch` per language rather than a table of templates: the compiler
/// refuses a message without a wording in every language, and plurals and word order stay
/// ordinary code. The ids and parameters (`PanelMessage.id`, `.arguments`) are what a screen
/// process with its own translations keys on.
public enum PanelCatalogue {
    public static func text(_ message: PanelMessage, in language: PanelLanguage) -> PanelText {
        switch language {
        case .english: PanelText(english(message), language: language)
        case .simplifiedChinese: PanelText(simplifiedChinese(message), language: language)
        }
    }

    /// Why a tracking number is refused, as the message words it (also the intake check's reason).
    public static func trackingReason(_ trackingNumber: String, _ problem: TrackingNumberProblem, in language: PanelLanguage) -> String {
        switch language {
        case .english: englishReason(trackingNumber, problem)
        case .simplifiedChinese: simplifiedChineseReason(trackingNumber, problem)
        }
    }

    /// One part: most messages are a single run of text that wraps freely.
    static func flowing(_ text: String) -> [PanelText.Part] {
        [PanelText.Part(text)]
    }
}
