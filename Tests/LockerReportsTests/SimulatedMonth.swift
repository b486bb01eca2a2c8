import Foundation
import LockerReports

/// March 2024 at a cabinet in Europe/Berlin (clocks go forward on the 31st: a 23-hour day), with
/// every figure known in advance (see `CustodyReportMonthTests` for the arithmetic):
///
/// - every day from Feb 28 to Mar 31, three deposits at 09:00, 13:00 and 18:00 local:
///   - 09:00 ambient, SF Express, courier 1001, door 0: picked up the same day at 20:00;
///   - 13:00 chilled, JD Logistics, courier 1002, doors 10/11: picked up the next day at 08:00;
///   - 18:00 ambient, SF Express on odd days and YTO on even ones, courier 1001, doors 1-3 in turn:
///     flagged overdue two days later at 18:00, retrieved by courier 1003 that day at 20:00;
/// - Mar 10 11:00 a frozen parcel (SF Express, door 12), overdue Mar 12 11:00, picked up late Mar 13 15:00;
/// - Mar 20 10:00 an ambient parcel (ZTO, door 4), overdue Mar 22 10:00 and never collected;
/// - faults: two keypad lockouts of 5 wrong codes each, one courier lockout, one door forced open,
///   two left open, one latch failure, a board outage from Feb 29 23:00 to Mar 1 01:00 and one on
///   Mar 5 10:00-10:30, one temperature excursion;
/// - "now" is Apr 1 10:00: the Mar 31 chilled parcel was picked up at 08:00; nothing else of April happened.
struct SimulatedMonth {
    enum Step {
        case deposit(key: String, temperatureClass: String, carrier: String, courier: String, door: Int)
        case pickup(key: String)
        case retrieve(key: String, courier: String)
        case overdue(key: String)
        case fault(kind: String, count: Int64?, subject: String?)
    }

    static let timeZone = "Europe/Berlin"
    var script = RecordScript(timeZone: timeZone)
    private(set) var ids: [String: Int64] = [:]
    let now: Double

    static let compartments: [ReportCompartment] = [
        ReportCompartment(id: 0, label: "A01", size: "M", temperatureClass: "ambient"),
        ReportCompartment(id: 1, label: "A02", size: "L", temperatureClass: "ambient"),
        ReportCompartment(id: 2, label: "A03", size: "L", temperatureClass: "ambient"),
        ReportCompartment(id: 3, label: "A04", size: "L", temperatureClass: "ambient"),
        ReportCompartment(id: 4, label: "A05", size: "XL", temperatureClass: "ambient"),
        ReportCompartment(id: 5, label: "A06", size: "S", temperatureClass: "ambient", inService: false),
        ReportCompartment(id: 10, label: "B01", size: "M", temperatureClass: "chilled"),
        ReportCompartment(id: 11, label: "B02", size: "M", temperatureClass: "chilled"),
        ReportCompartment(id: 12, label: "C01", size: "S", temperatureClass: "frozen"),
    ]

    init() {
        let s = RecordScript(timeZone: Self.timeZone)
        now = s.at(2024, 4, 1, 10)
        var plan: [(time: Double, step: Step)] = []
        let days = [(2024, 2, 28), (2024, 2, 29)] + (1...31).map { (2024, 3, $0) }
        for (index, (year, month, day)) in days.enumerated() {
            func local(_ offset: Int, _ hour: Int) -> Double {
                let date = s.calendar.date(byAdding: .day, value: offset, to: s.calendar.date(from: DateComponents(year: year, month: month, day: day))!)!
                let parts = s.calendar.dateComponents([.year, .month, .day], from: date)
                return s.at(parts.year!, parts.month!, parts.day!, hour)
            }
            let morning = "\(month)-\(day)-09", noon = "\(month)-\(day)-13", evening = "\(month)-\(day)-18"
            plan.append((local(0, 9), .deposit(key: morning, temperatureClass: "ambient", carrier: "SF Express", courier: "1001", door: 0)))
            plan.append((local(0, 20), .pickup(key: morning)))
            plan.append((local(0, 13), .deposit(key: noon, temperatureClass: "chilled", carrier: "JD Logistics", courier: "1002",
                                                door: 10 + index % 2)))
            plan.append((local(1, 8), .pickup(key: noon)))
            plan.append((local(0, 18), .deposit(key: evening, temperatureClass: "ambient", carrier: day % 2 == 1 ? "SF Express" : "YTO",
                                                courier: "1001", door: 1 + index % 3)))
            plan.append((local(2, 18), .overdue(key: evening)))
            plan.append((local(2, 20), .retrieve(key: evening, courier: "1003")))
        }
        plan.append((s.at(2024, 3, 10, 11), .deposit(key: "frozen", temperatureClass: "frozen", carrier: "SF Express", courier: "1001", door: 12)))
        plan.append((s.at(2024, 3, 12, 11), .overdue(key: "frozen")))
        plan.append((s.at(2024, 3, 13, 15), .pickup(key: "frozen")))
        plan.append((s.at(2024, 3, 20, 10), .deposit(key: "forgotten", temperatureClass: "ambient", carrier: "ZTO", courier: "1001", door: 4)))
        plan.append((s.at(2024, 3, 22, 10), .overdue(key: "forgotten")))
        let faults: [(Double, String, Int64?, String?)] = [
            (s.at(2024, 3, 3, 2), ReportEventKind.keypadLockedOut, 5, nil),
            (s.at(2024, 3, 17, 3), ReportEventKind.keypadLockedOut, 5, nil),
            (s.at(2024, 3, 8, 7), ReportEventKind.courierLockedOut, nil, nil),
            (s.at(2024, 3, 11, 23), ReportEventKind.doorForcedOpen, nil, nil),
            (s.at(2024, 3, 14, 12), ReportEventKind.doorLeftOpen, nil, nil),
            (s.at(2024, 3, 15, 12), ReportEventKind.doorLeftOpen, nil, nil),
            (s.at(2024, 3, 16, 12), ReportEventKind.latchFailed, nil, nil),
            (s.at(2024, 2, 29, 23), ReportEventKind.boardOffline, nil, "1"),
            (s.at(2024, 3, 1, 1), ReportEventKind.boardOnline, nil, "1"),
            (s.at(2024, 3, 5, 10), ReportEventKind.boardOffline, nil, "2"),
            (s.at(2024, 3, 5, 10, 30), ReportEventKind.boardOnline, nil, "2"),
            (s.at(2024, 3, 21, 4), ReportEventKind.excursionStarted, nil, "chilled"),
        ]
        for (time, kind, count, subject) in faults { plan.append((time, .fault(kind: kind, count: count, subject: subject))) }
        // The clock runs forward: steps happen in time order, and nothing after now.
        for (time, step) in plan.sorted(by: { $0.time < $1.time }) where time <= now {
            run(step, at: time)
        }
    }

    private mutating func run(_ step: Step, at time: Double) {
        switch step {
        case .deposit(let key, let temperatureClass, let carrier, let courier, let door):
            ids[key] = script.deposit(at: time, class: temperatureClass, carrier: carrier, courier: courier, door: door)
        case .pickup(let key):
            script.pickup(ids[key]!, at: time)
        case .retrieve(let key, let courier):
            script.retrieve(ids[key]!, at: time, courier: courier)
        case .overdue(let key):
            script.overdue(ids[key]!, at: time)
        case .fault(let kind, let count, let subject):
            script.record(kind, at: time, count: count, subject: subject)
        }
    }

    func input() -> ReportInput {
        script.input(now: now, compartments: Self.compartments)
    }

    func id(_ key: String) -> Int64 { ids[key]! }
}
