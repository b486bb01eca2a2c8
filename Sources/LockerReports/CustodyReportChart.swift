/// The picture of a report (`--chart FILE`): an SVG with the daily volumes (deposits beside
/// pickups and retrievals, stacked) and the hour-of-day profile, readable by any browser and
/// embeddable in a README. Plain SVG 1.1 with no script or external reference, so opening it is safe.
public enum CustodyReportChart {
    static let width = 960.0
    static let panelHeight = 220.0
    static let margin = (left: 48.0, right: 16.0, top: 36.0, bottom: 36.0)
    static let colours = (deposits: "#2f6db5", pickups: "#3a9d5d", retrievals: "#d08a2b")

    /// Titles, verdict and legend in `language` (dates and hours are numbers in either).
    public static func render(_ report: CustodyReport, language: ReportLanguage = .english) -> String {
        let word = { (label: ReportLabel) in ReportLabels.text(label, in: language) }
        let height = margin.top + panelHeight + 70 + panelHeight + margin.bottom + 24
        var svg: [String] = []
        svg.append(##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(number(width))" height="\##(number(height))" viewBox="0 0 \##(number(width)) \##(number(height))" font-family="sans-serif" font-size="11">"##)
        svg.append(##"<rect width="100%" height="100%" fill="#ffffff"/>"##)
        let verdict = word(report.passed ? .reconciled : .reconciliationFailed)
        svg.append(text(margin.left, 20, "\(report.cabinet) · \(report.period.label) (\(report.period.timeZone)) · \(verdict)", size: 14,
                        weight: "bold", fill: report.passed ? "#222222" : "#b00020"))
        let dailyTop = margin.top + 14
        svg += panel(title: word(.parcelsPerDay), top: dailyTop,
                     labels: report.days.map { String($0.date.suffix(2)) },
                     series: report.days.map { ($0.deposits, $0.pickups, $0.retrievals) })
        let hourlyTop = dailyTop + panelHeight + 70
        svg += panel(title: word(.parcelsPerHourOfDay), top: hourlyTop,
                     labels: report.hourOfDay.map { String($0.hour) },
                     series: report.hourOfDay.map { ($0.deposits, $0.pickups, $0.retrievals) })
        // Legend.
        let legendY = hourlyTop + panelHeight + 40
        var x = margin.left
        let legend = [(word(.deposits), colours.deposits), (word(.pickups), colours.pickups), (word(.retrievals), colours.retrievals)]
        for (name, colour) in legend {
            svg.append(##"<rect x="\##(number(x))" y="\##(number(legendY - 9))" width="10" height="10" fill="\##(colour)"/>"##)
            svg.append(text(x + 14, legendY, name))
            x += 90
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// One bar chart: per slot a deposits bar and, beside it, pickups with retrievals stacked on top.
    static func panel(title: String, top: Double, labels: [String], series: [(Int, Int, Int)]) -> [String] {
        var out: [String] = [text(margin.left, top - 8, title, size: 12, weight: "bold")]
        let plotWidth = width - margin.left - margin.right
        let peak = max(1, series.map { max($0.0, $0.1 + $0.2) }.max() ?? 1)
        let scale = niceCeiling(peak)
        let bottom = top + panelHeight
        for step in 0...4 {
            let value = scale * step / 4
            let y = bottom - panelHeight * Double(value) / Double(scale)
            out.append(##"<line x1="\##(number(margin.left))" y1="\##(number(y))" x2="\##(number(width - margin.right))" y2="\##(number(y))" stroke="#dddddd"/>"##)
            out.append(text(margin.left - 6, y + 4, "\(value)", anchor: "end"))
        }
        guard !series.isEmpty else { return out }
        let slot = plotWidth / Double(series.count)
        let bar = max(1, slot * 0.38)
        for (index, (deposits, pickups, retrievals)) in series.enumerated() {
            let x = margin.left + slot * Double(index) + slot * 0.1
            let h = { (count: Int) in panelHeight * Double(count) / Double(scale) }
            out.append(rect(x, bottom - h(deposits), bar, h(deposits), colours.deposits))
            out.append(rect(x + bar, bottom - h(pickups), bar, h(pickups), colours.pickups))
            out.append(rect(x + bar, bottom - h(pickups) - h(retrievals), bar, h(retrievals), colours.retrievals))
            out.append(text(x + bar, bottom + 14, labels[index], anchor: "middle"))
        }
        return out
    }

    /// A round axis maximum at or above `value` (1, 2 or 5 times a power of ten, divisible by 4 when it can be).
    static func niceCeiling(_ value: Int) -> Int {
        var magnitude = 1
        while magnitude * 10 < value { magnitude *= 10 }
        for factor in [1, 2, 4, 5, 8, 10] where factor * magnitude >= value { return factor * magnitude }
        return 10 * magnitude
    }

    static func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ fill: String) -> String {
        ##"<rect x="\##(number(x))" y="\##(number(y))" width="\##(number(w))" height="\##(number(h))" fill="\##(fill)"/>"##
    }

    static func text(_ x: Double, _ y: Double, _ content: String, size: Int = 11, weight: String = "normal", fill: String = "#222222",
                     anchor: String = "start") -> String {
        ##"<text x="\##(number(x))" y="\##(number(y))" font-size="\##(size)" font-weight="\##(weight)" fill="\##(fill)" text-anchor="\##(anchor)">\##(escaped(content))</text>"##
    }

    /// Two decimals at most, so the file is the same on every machine.
    static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
