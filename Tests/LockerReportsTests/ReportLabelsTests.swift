import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import LockerReports
import Testing

/// The report's words: every label in every language with the same figures in it, and the
/// simulated month's report in Simplified Chinese says what the English one says.
@Suite("Report labels in English and Simplified Chinese")
struct ReportLabelsTests {
    let month = SimulatedMonth()

    func report(_ input: ReportInput? = nil) throws -> CustodyReport {
        CustodyReportBuilder.build(input ?? month.input(),
                                   period: try ReportPeriod.month("2024-03", timeZone: TimeZone(identifier: SimulatedMonth.timeZone)!),
                                   now: Date(timeIntervalSince1970: month.now))
    }

    @Test(arguments: ReportLanguage.allCases)
    func everyLabelHasAWordingInTheLanguage(_ language: ReportLanguage) {
        let table = ReportLabels.table(language)
        let missing = ReportLabel.allCases.filter { (table[$0] ?? "").isEmpty }
        #expect(missing.isEmpty, "\(language.rawValue) has no wording for \(missing.map(\.rawValue))")
        for label in ReportLabel.allCases {
            let text = table[label] ?? ""
            let hasCJK = text.contains { TerminalColumns.columns(of: $0) == 2 }
            // Chinese must really be Chinese (not English left in place), English must be English.
            #expect(hasCJK == (language == .simplifiedChinese), "\(label.rawValue) in \(language.rawValue): \(text)")
        }
    }

    /// A translation that drops or renames a placeholder would show "{count}" or lose a figure.
    @Test func everyLanguageFillsInTheSameFigures() {
        for label in ReportLabel.allCases {
            let english = ReportLabels.placeholders(in: ReportLabels.table(.english)[label] ?? "")
            let chinese = ReportLabels.placeholders(in: ReportLabels.table(.simplifiedChinese)[label] ?? "")
            #expect(english == chinese, "\(label.rawValue): English fills \(english.sorted()), Chinese \(chinese.sorted())")
        }
    }

    @Test func aFigureIsFilledInOnceEvenWhenItLooksLikeAPlaceholder() {
        let text = ReportLabels.text(.differenceLine, in: .english,
                                     ["parcel": "7", "tracking": "{problem}", "status": "stored", "problem": "the record has it inside"])
        #expect(text == "parcel 7 {problem} (table: stored): the record has it inside")
    }

    @Test func anUnknownLanguageIsRefusedByName() throws {
        #expect(throws: ReportLanguageError(name: "fr")) { try ReportLanguage.named("fr") }
        #expect(ReportLanguageError(name: "fr").description == "unknown report language \"fr\": use en or zh-Hans")
        #expect(try ReportLanguage.named("zh-Hans") == .simplifiedChinese)
    }

    @Test func theChineseTextSaysWhatTheEnglishOneSays() throws {
        let report = try report()
        let text = CustodyReportText.render(report, language: .simplifiedChinese)
        #expect(text.hasPrefix("包裹保管报告 test-cabinet，2024-03（Europe/Berlin）\n"))
        #expect(text.contains("对账：通过（每个包裹均有着落，记录完整）"))
        #expect(text.contains("哈希链：本期已校验（从第一个事件起重新计算 \(report.chain.eventsChecked) 个事件，完整）"))
        let ambient = try #require(report.reconciliation.classes.first { $0.temperatureClass == "ambient" })
        let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("  常温") })
        #expect(row.split(separator: " ").dropFirst().map(String.init)
                == ["\(ambient.inAtStart)", "\(ambient.deposits)", "\(ambient.pickups)", "\(ambient.retrievals)", "\(ambient.inAtEnd)",
                    "\(ambient.inAtEndPerTable)", "平衡"])
        #expect(text.contains("滞留时间：p50 19 小时，p90 50 小时，最长 76 小时"))
        #expect(text.contains("逾期：标记 \(report.overdue.flagged) 件，回收 \(report.overdue.retrieved) 件"))
        #expect(!text.contains("{"), "no placeholder left unfilled")
    }

    /// Chinese characters take two terminal columns: the table's figures still line up under
    /// their headings.
    @Test func theChineseTablesLineUpInTerminalColumns() throws {
        let text = CustodyReportText.render(try report(), language: .simplifiedChinese)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("  温区") })
        let columnOf = { (line: String, cell: String) -> Int? in
            guard let range = line.range(of: cell) else { return nil }
            return TerminalColumns.width(line[..<range.lowerBound])
        }
        // The terminal column where each cell of a row (cells hold no spaces) begins.
        let cellColumns = { (line: String) -> [Int] in
            var columns: [Int] = [], width = 0, previous: Character = " "
            for character in line {
                if previous == " " && character != " " { columns.append(width) }
                width += TerminalColumns.columns(of: character)
                previous = character
            }
            return columns
        }
        let rows = lines[(header + 1)...(header + 5)].map(cellColumns)
        #expect(Set(rows).count == 1, "every class row's cells begin at the same columns: \(rows)")
        #expect(rows.first?[2] == columnOf(lines[header], "+ 存件"), "the deposits stand under their heading")
        #expect(rows.first?[6] == columnOf(lines[header], "期末在柜（包裹表）"), "so does the table's count, after wide headings")
    }

    @Test func theChineseCSVHasABOMChineseHeadingsAndTheSameFigures() throws {
        let report = try report()
        let csv = CustodyReportCSV.render(report, language: .simplifiedChinese)
        #expect(csv.utf8.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(csv.contains("\r\n对账,期初在柜,存件,取件,回收,期末在柜,期末在柜（包裹表）,平衡\r\n"))
        let total = report.reconciliation.total
        #expect(csv.contains("\r\n合计,\(total.inAtStart),\(total.deposits),\(total.pickups),\(total.retrievals),\(total.inAtEnd),"
                             + "\(total.inAtEndPerTable),是\r\n"))
        #expect(csv.contains("\r\n滞留统计包裹数,\(report.dwell.count)\r\n"))
        #expect(csv.contains("\r\n键盘锁定次数,\(report.security.keypadLockouts)\r\n"))
        // Same shape as the English CSV: a spreadsheet laid out for one reads the other.
        let english = CustodyReportCSV.render(report)
        #expect(csv.components(separatedBy: "\r\n").map { $0.filter { $0 == "," }.count }
                == english.components(separatedBy: "\r\n").map { $0.filter { $0 == "," }.count })
    }

    @Test func theChineseChartIsWellFormedAndWorded() throws {
        let svg = CustodyReportChart.render(try report(), language: .simplifiedChinese)
        #expect(svg.contains(">每日包裹量</text>"))
        #expect(svg.contains("对账通过"))
        #expect(!svg.contains("Parcels per day"))
        #expect(XMLParser(data: Data(svg.utf8)).parse(), "the SVG parses as XML")
    }

    /// The JSON form has no words to translate: the same report encodes to the same bytes
    /// whatever language it will be shown in.
    @Test func theJSONFormCarriesNoLabels() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(try report()), as: UTF8.self)
        #expect(!json.contains { TerminalColumns.columns(of: $0) == 2 })
        #expect(!json.contains("RECONCILIATION"))
    }
}
