import Foundation
import LockerCore
import Testing

/// Every message in every language fits a 16x2 and a 20x4 character display: paged, nothing cut
/// or dropped, the pickup code alone on its line, CJK characters two cells wide.
@Suite struct CharacterScreenLayoutTests {
    static let screens: [CharacterScreenLayout] = [.sixteenByTwo, .twentyByFour]

    /// Pages turn every 3 s: the longest message (the size chooser with a 40-character tracking
    /// number) must come round within 24 s on a 16x2, 12 s on a 20x4.
    static func maximumPages(_ screen: CharacterScreenLayout) -> Int { screen.rows == 2 ? 8 : 4 }

    @Test(arguments: screens, PanelLanguage.allCases)
    func everyMessageFits(_ screen: CharacterScreenLayout, _ language: PanelLanguage) {
        for message in PanelMessageSamples.all {
            let text = PanelCatalogue.text(message, in: language)
            let name = "\(message.id.rawValue) in \(language.rawValue) on \(screen.columns)x\(screen.rows)"
            let lines = screen.lines(text)
            for line in lines {
                #expect(CharacterScreenLayout.width(of: line) <= screen.columns, "\(name): \"\(line)\" is too wide")
                #expect(line.first.map { !CharacterScreenLayout.closingMarks.contains($0) } ?? true, "\(name): \"\(line)\" starts with a closing mark")
            }
            // Nothing dropped: the lines hold every character in order (spaces aside; a part on
            // its own line leaves out its trailing punctuation).
            let shown = lines.joined().filter { !$0.isWhitespace }
            let whole = text.parts.map { $0.ownLine ? $0.text : $0.text + $0.trailing }.joined().filter { !$0.isWhitespace }
            #expect(shown == whole, "\(name): \(lines)")
            // A word is split only when it is wider than a line.
            let words = text.parts.flatMap { $0.ownLine ? [Substring($0.text)] : ($0.text + $0.trailing).split(separator: " ") }
            for word in words where word.allSatisfy({ CharacterScreenLayout.columns(of: $0) == 1 })
                && CharacterScreenLayout.width(of: word) <= screen.columns {
                #expect(lines.contains { $0.contains(word) }, "\(name): \"\(word)\" is split: \(lines)")
            }
            if let code = message.pickupCode {
                #expect(lines.contains(code), "\(name): the code \(code) is not alone on a line: \(lines)")
            }
            let pages = screen.pages(text)
            #expect(pages.count <= Self.maximumPages(screen), "\(name): \(pages.count) pages")
            #expect(pages.allSatisfy { $0.split(separator: "\n").count <= screen.rows })
        }
    }

    @Test func chineseCountsTwoCellsAndBreaksBetweenCharacters() {
        let text = PanelCatalogue.text(.pickupDoorOpen(label: "A03"), in: .simplifiedChinese)
        // "A03号柜门已打" is 3 + 6 x 2 = 15 cells: "开。" (4) goes on, and "。" never starts a line.
        #expect(CharacterScreenLayout.sixteenByTwo.lines(text) == ["A03号柜门已打", "开。请取出包裹并", "关好柜门。"])
        #expect(CharacterScreenLayout.width(of: "开。请取出包裹并") == 16)
    }

    @Test func theCodePageOnA16x2() {
        let pages = CharacterScreenLayout.sixteenByTwo.pages(PanelCatalogue.text(.depositCommitted(label: "A03", code: "97382946"), in: .english))
        #expect(pages == ["Deposited in\nA03. Pickup code", "A03. Pickup code\n97382946", "Scan the next\nparcel."])
        let chinese = CharacterScreenLayout.sixteenByTwo.pages(
            PanelCatalogue.text(.depositCommitted(label: "A03", code: "97382946"), in: .simplifiedChinese))
        #expect(chinese == ["已存入A03号柜。\n取件码：", "取件码：\n97382946", "请扫描下一个包\n裹。"])
    }

    @Test func thePagerTurnsPagesByTheClockAndStartsOverWithANewMessage() {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        var pager = DisplayPager(layout: .sixteenByTwo, pageSeconds: 3)
        let long = PanelCatalogue.text(.depositDoorOpen(label: "A03"), in: .english)
        let pages = CharacterScreenLayout.sixteenByTwo.pages(long)
        #expect(pages.count > 2)
        #expect(pager.show(long, now: start) == pages[0])
        #expect(pager.tick(now: start.addingTimeInterval(2.9)) == nil)
        #expect(pager.tick(now: start.addingTimeInterval(3)) == pages[1])
        var now = start.addingTimeInterval(3)
        for index in 2..<pages.count {
            now += 3
            #expect(pager.tick(now: now) == pages[index])
        }
        now += 3
        #expect(pager.tick(now: now) == pages[0], "after the last page the first comes back")
        #expect(pager.show(PanelCatalogue.text(.welcome, in: .english), now: now) == "Type your pickup\ncode or scan")
        #expect(pager.tick(now: now + 1) == nil)
        let short = PanelCatalogue.text(.loggedOut, in: .english)
        #expect(pager.show(short, now: now + 10) == "Courier logged\nout.")
        #expect(pager.tick(now: now + 100) == nil, "a one-page message is never rewritten")
    }

    @Test func withoutALayoutTheMessageIsShownWhole() {
        var pager = DisplayPager(layout: nil)
        let text = PanelCatalogue.text(.depositDoorOpen(label: "A03"), in: .english)
        #expect(pager.show(text, now: Date()) == text.text)
        #expect(pager.tick(now: Date().addingTimeInterval(60)) == nil)
    }
}
