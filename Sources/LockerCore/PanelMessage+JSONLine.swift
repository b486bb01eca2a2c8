public import Foundation

extension PanelMessage {
    /// The message as one line of JSON for a screen process that renders or translates it itself
    /// (`display.format = "json"`): its catalogue id, its parameters, the language of the person at
    /// the panel and the catalogue's wording in it, and the pickup code when it shows one:
    /// `{"arguments":{"code":"97382946","label":"A03"},"id":"deposit_committed","language":"en",
    /// "pickupCode":"97382946","text":"Deposited in A03. Pickup code 97382946. Scan the next parcel."}`.
    /// Keys sorted, no raw newline (JSON escapes them), so one message is one line.
    public func jsonLine(in language: PanelLanguage) -> String {
        let line = Line(id: id, arguments: arguments, language: language,
                        text: PanelCatalogue.text(self, in: language).text, pickupCode: pickupCode)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and a dictionary of strings always encode; the fallback is never taken.
        return (try? encoder.encode(line)).map { String(decoding: $0, as: UTF8.self) } ?? #"{"id":"\#(id.rawValue)"}"#
    }

    /// What `jsonLine` writes; decodable too, for a screen process written in Swift and for tests.
    public struct Line: Sendable, Equatable, Codable {
        public var id: PanelMessageID
        public var arguments: [String: String]
        public var language: PanelLanguage
        public var text: String
        public var pickupCode: String?

        public init(id: PanelMessageID, arguments: [String: String], language: PanelLanguage, text: String, pickupCode: String?) {
            self.id = id
            self.arguments = arguments
            self.language = language
            self.text = text
            self.pickupCode = pickupCode
        }
    }
}
