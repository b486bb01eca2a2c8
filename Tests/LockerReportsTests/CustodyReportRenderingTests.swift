import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import LockerReports
import Testing

/// The text, CSV and SVG forms say what the report says.
@Suite("Custody report: text, CSV and chart")
struct CustodyReportRenderingTests {
    let month = SimulatedMonth()

    func report(_ input: ReportInput? = nil) throws -> CustodyReport {
        CustodyReportBuilder.build(input ?? month.input(),
                                   period: try ReportPeriod.month("2024-03", timeZone: TimeZone(identifier: SimulatedMonth.timeZone)!),
                                   now: Date(timeIntervalSince1970: month.now))
    }

    @Test func theTextLeadsWithTheVerdict() throws {
        let text = CustodyReportText.render(try report())
        #expect(text.contains("RECONCILIATION: PASSED"))
        #expect(text.contains("hash chain: verified for the period"))
        #expect(text.contains("  ambient  2            63          31         31            3            3             ok"))
        #expect(text.contains("2024-03-31  23"))
        #expect(text.contains("p50 19 h, p90 50 h, max 76 h"))
    }

    @Test func aFailedReportSaysSoAndListsTheParcel() throws {
        var input = month.input()
        let victim = month.id("3-15-09")
        input.events.removeAll { $0.kind == ReportEventKind.pickupCommitted && $0.parcelIDs == [victim] }
        let text = CustodyReportText.render(try report(input))
        #expect(text.contains("RECONCILIATION: FAILED"))
        #expect(text.contains("DOES NOT BALANCE"))
        #expect(text.contains("parcel \(victim) TRK\(victim) (table: picked_up): the record has it inside"))
        #expect(text.contains("2024-03-15T09:00:00+0100 deposit.committed"), "its events in the cabinet's local time")
    }

    @Test func theCSVHasABOMAndQuotesWhatItMust() throws {
        var input = month.input()
        input.parcels = input.parcels.map { var p = $0; if p.carrier == "ZTO" { p.carrier = "中通, 快递" }; return p }
        input.events = input.events.map { var e = $0; if e.carrier == "ZTO" { e.carrier = "中通, 快递" }; return e }
        let csv = CustodyReportCSV.render(try report(input))
        #expect(csv.utf8.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(csv.contains("\r\n\"中通, 快递\",1,0,0\r\n"))
        #expect(csv.contains("\r\nambient,2,63,31,31,3,3,yes\r\n"))
        #expect(csv.contains("\r\n2024-03-31,23,3,2,1,4\r\n"))
        #expect(CustodyReportCSV.field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CustodyReportCSV.field("-5") == "-5", "a negative number stays a number")
    }

    @Test func theChartIsWellFormedSVGWithOneBarGroupPerDayAndHour() throws {
        let svg = CustodyReportChart.render(try report())
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        // 31 days and 24 hours, three bars each, plus three legend swatches and the background.
        #expect(svg.components(separatedBy: "<rect ").count - 1 == (31 + 24) * 3 + 3 + 1)
        #expect(svg.contains("Parcels per day"))
        #expect(!svg.contains("<script"))
        let data = Data(svg.utf8)
        let parser = XMLParser(data: data)
        #expect(parser.parse(), "the SVG parses as XML")
    }
}
