import Foundation
import LockerCore
import LockerDaemon
import Testing

/// The panel's languages through the real controller: the configured default, the language key
/// for one person's visit, and English on a character LCD that has no Chinese glyphs.
@Suite struct PanelLanguageFlowTests {
    static func configuration(language: String) -> CabinetConfiguration {
        var configuration = CabinetConfiguration.simulatedDefault
        configuration.language = language
        return configuration
    }

    @Test func aChineseCabinetDepositsAndHandsOverInChinese() async throws {
        let cabinet = try await CabinetHarness(configuration: Self.configuration(language: "zh-Hans"))
        defer { cabinet.removeFiles() }
        await cabinet.press("clear")
        #expect(cabinet.lastDisplay == "请输入取件码或扫描取件二维码。快递员请按MENU键。")
        await cabinet.courierLogin()
        #expect(cabinet.lastDisplay.hasPrefix("Ann您好。"))
        await cabinet.scan("SF1000000001")
        await cabinet.press("enter")
        let label = try #require(cabinet.display.last { $0.hasPrefix("正在打开") }.map { String($0.dropFirst(4).prefix(3)) })
        if cabinet.hasItemSensor(label) { try await cabinet.put(label) }
        try await cabinet.close(label)
        let committed = cabinet.lastDisplay
        #expect(committed.hasPrefix("已存入\(label)号柜。取件码："), "\(committed)")
        let code = String(committed.split(separator: "：").last?.prefix { $0.isNumber } ?? "")
        #expect(code.count == 8, "\(committed)")
        await cabinet.press("menu")
        #expect(cabinet.display.suffix(2) == ["快递员已退出登录。", "请输入取件码或扫描取件二维码。快递员请按MENU键。"])
        await cabinet.press(code)
        #expect(cabinet.lastDisplay == "\(label)号柜门已打开。请取出包裹并关好柜门。")
        try await cabinet.take(label)
        try await cabinet.close(label)
        #expect(cabinet.lastDisplay == "谢谢！\(label)号柜门已关闭。")
        await cabinet.stop()
    }

    @Test func theLanguageKeyLastsOneVisit() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.press("enter")
        #expect(cabinet.lastDisplay == "请输入取件码或扫描取件二维码。快递员请按MENU键。")
        await cabinet.press("1 2 3")
        #expect(cabinet.lastDisplay == "取件码：***_____")
        await cabinet.advance(seconds: 30)
        #expect(cabinet.lastDisplay == "Type your pickup code or scan your QR code. Couriers: press MENU.")
        await cabinet.press("1")
        #expect(cabinet.lastDisplay == "Code: *_______")
        await cabinet.stop()
    }

    @Test func aCharacterLCDShowsEnglishPagedByTheClock() async throws {
        var configuration = Self.configuration(language: "zh-Hans")
        configuration.display = .init(kind: "hd44780-i2c", bus: "/dev/i2c-test-none", address: 0x27, columns: 16, rows: 2)
        let cabinet = try await CabinetHarness(configuration: configuration)
        defer { cabinet.removeFiles() }
        await cabinet.press("clear")
        let pages = CharacterScreenLayout.sixteenByTwo.pages(PanelCatalogue.text(.welcome, in: .english))
        #expect(pages == ["Type your pickup\ncode or scan", "your QR code.\nCouriers: press", "MENU."])
        #expect(cabinet.lastDisplay == pages[0])
        await cabinet.advance(seconds: 1, step: 1)
        #expect(cabinet.lastDisplay == pages[0], "a page stays up for 3 s")
        await cabinet.advance(seconds: 2, step: 1)
        #expect(cabinet.lastDisplay == pages[1])
        // Keys keep their meanings while pages turn: MENU is the courier key on any page.
        await cabinet.press("menu")
        #expect(cabinet.lastDisplay == "Courier: type\nyour courier ID,")
        await cabinet.advance(seconds: 3, step: 1)
        #expect(cabinet.lastDisplay == "then ENTER.")
        await cabinet.stop()
    }

    @Test func aScreenProcessCanHaveEachMessageAsAJSONLineWithItsIdAndParameters() async throws {
        var configuration = Self.configuration(language: "en")
        configuration.display = .init(kind: "file", path: "/nonexistent/display.jsonl", format: "json")
        let cabinet = try await CabinetHarness(configuration: configuration)
        defer { cabinet.removeFiles() }
        func last() throws -> PanelMessage.Line {
            try JSONDecoder().decode(PanelMessage.Line.self, from: Data(cabinet.lastDisplay.utf8))
        }
        await cabinet.press("enter")  // the language key: Simplified Chinese for this visit
        #expect(try last() == PanelMessage.Line(id: .welcome, arguments: [:], language: .simplifiedChinese,
                                                text: "请输入取件码或扫描取件二维码。快递员请按MENU键。", pickupCode: nil))
        await cabinet.courierLogin()
        await cabinet.scan("SF1000000001")
        await cabinet.press("enter")
        let opening = try #require(cabinet.display.compactMap { try? JSONDecoder().decode(PanelMessage.Line.self, from: Data($0.utf8)) }
            .last { $0.id == .depositDoorOpening })
        let label = try #require(opening.arguments["label"])
        if cabinet.hasItemSensor(label) { try await cabinet.put(label) }
        try await cabinet.close(label)
        let committed = try last()
        #expect(committed.id == .depositCommitted && committed.language == .simplifiedChinese)
        let code = try #require(committed.pickupCode)
        #expect(committed.arguments == ["label": label, "code": code])
        #expect(committed.text == PanelCatalogue.text(.depositCommitted(label: label, code: code), in: .simplifiedChinese).text)
        #expect(!cabinet.lastDisplay.contains("\n"), "one message, one line")
        await cabinet.stop()
    }

    @Test func aDisplayFormatIsTextOrJSONAndOnlyForAFileDisplay() {
        var configuration = CabinetConfiguration.simulatedDefault
        configuration.display = .init(kind: "file", path: "/run/screen.fifo", format: "xml")
        #expect((try? configuration.validate()) == nil)
        configuration.display = .init(kind: "hd44780-i2c", bus: "/dev/i2c-1", address: 0x27, format: "json")
        do {
            try configuration.validate()
            Issue.record("an LCD with a format was accepted")
        } catch {
            #expect("\(error)".contains("format is for a file display"), "\(error)")
        }
        configuration.display = .init(kind: "file", path: "/run/screen.fifo", format: "json")
        #expect((try? configuration.validate()) != nil)
    }

    @Test func anUnknownLanguageIsRefusedByName() {
        var configuration = CabinetConfiguration.simulatedDefault
        configuration.language = "fr"
        #expect(throws: (any Error).self) { try configuration.validate() }
        do {
            try configuration.validate()
        } catch {
            #expect("\(error)".contains(#"language must be "en" or "zh-Hans", is "fr""#), "\(error)")
        }
    }
}
