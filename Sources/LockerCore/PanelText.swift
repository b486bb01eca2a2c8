/// A panel message in one language, in the parts a character display lays out: each part flows
/// on from the previous one, except a part that must stand on a line of its own (a pickup code),
/// which is never cut and never shares a line.
public struct PanelText: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var text: String
        /// On a line of its own: what a person must read whole (the pickup code).
        public var ownLine: Bool
        /// Punctuation that ends the part in running text but is left off its own line, so that a
        /// code stands alone ("97382946", not "97382946.").
        public var trailing: String

        public init(_ text: String, ownLine: Bool = false, trailing: String = "") {
            self.text = text
            self.ownLine = ownLine
            self.trailing = trailing
        }
    }

    public var parts: [Part]
    public var language: PanelLanguage

    public init(_ parts: [Part], language: PanelLanguage) {
        self.parts = parts
        self.language = language
    }

    /// The message as one line of running text (what a screen process or the simulator shows).
    public var text: String {
        parts.map { $0.text + $0.trailing }.filter { !$0.isEmpty }.joined(separator: language.partSeparator)
    }
}
