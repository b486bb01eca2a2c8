public import Foundation

/// Turns the pages of the current message on a character display by a timer. Pure: the daemon
/// shows what `show` and `tick` return.
///
/// A message longer than the display is cut into pages (see `CharacterScreenLayout`) shown one
/// after the other, every `pageSeconds`, round and round until the next message: the keys keep
/// their meanings (no key turns a page), and the panel's own clearing after silence replaces the
/// message as it replaces any other. Without a layout (a screen process, the simulator, the log)
/// the message is shown whole, as one line of running text.
public struct DisplayPager: Sendable {
    public let layout: CharacterScreenLayout?
    public let pageSeconds: Double
    private var pages: [String] = []
    private var page = 0
    private var pageShownAt = Date.distantPast

    public init(layout: CharacterScreenLayout?, pageSeconds: Double = 3) {
        self.layout = layout
        self.pageSeconds = pageSeconds
    }

    /// What to show now for `text`: its first page (or the whole text without a layout).
    public mutating func show(_ text: PanelText, now: Date) -> String {
        guard let layout else {
            pages = []
            return text.text
        }
        pages = layout.pages(text)
        page = 0
        pageShownAt = now
        return pages[0]
    }

    /// The next page when the current one has been up for `pageSeconds`; nil: nothing to change.
    /// The current message has more than one page: the timer turns them.
    public var isTurningPages: Bool { pages.count > 1 }

    public mutating func tick(now: Date) -> String? {
        guard pages.count > 1, now.timeIntervalSince(pageShownAt) >= pageSeconds else { return nil }
        page = (page + 1) % pages.count
        pageShownAt = now
        return pages[page]
    }
}
