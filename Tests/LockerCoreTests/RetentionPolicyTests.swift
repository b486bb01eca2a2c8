import Foundation
import LockerCore
import Testing

private let t0 = Date(timeIntervalSince1970: 1_700_000_000)

private func parcel(_ id: Int64, deadline: Date, status: Parcel.Status = .inCustody) -> Parcel {
    Parcel(id: id, trackingNumber: "TRK-\(id)", recipientReference: "r-\(id)", size: .s, temperatureClass: .ambient,
           compartmentID: Int(id), courierID: "4711", depositedAt: t0, retentionDeadline: deadline, status: status)
}

private func hours(_ count: Double) -> Double { count * 3600 }

@Suite("Retention policy")
struct RetentionPolicyTests {
    @Test(arguments: [
        (TemperatureClass.ambient, hours(48)),
        (.chilled, hours(24)),
        (.frozen, hours(24)),
        (.heated, hours(4)),
    ])
    func defaultDeadlinePerClass(temperatureClass: TemperatureClass, seconds: Double) {
        let policy = RetentionPolicy()
        #expect(policy.deadline(for: temperatureClass, depositedAt: t0) == t0.addingTimeInterval(seconds))
    }

    @Test func everyClassHasADefault() {
        #expect(Set(RetentionPolicy.defaultSeconds.keys) == Set(TemperatureClass.allCases))
    }

    @Test(arguments: [
        (TemperatureClass.ambient, 7_200.0),
        (.chilled, 600),
        (.frozen, hours(48)),  // not configured: the ambient default of 48 h
        (.heated, hours(48)),
    ])
    func configuredDeadlinesAndTheFallback(temperatureClass: TemperatureClass, seconds: Double) {
        let policy = RetentionPolicy(secondsByClass: [.ambient: 7_200, .chilled: 600])
        #expect(policy.deadline(for: temperatureClass, depositedAt: t0) == t0.addingTimeInterval(seconds))
    }

    @Test func newlyOverdueTakesInCustodyParcelsWhoseDeadlinePassed() {
        let now = t0.addingTimeInterval(48 * 3600)
        let parcels = [
            parcel(1, deadline: now.addingTimeInterval(-3600)),  // past
            parcel(2, deadline: now),  // due exactly now
            parcel(3, deadline: now.addingTimeInterval(1)),  // not yet
            parcel(4, deadline: now.addingTimeInterval(-3600), status: .overdue),  // already flagged
            parcel(5, deadline: now.addingTimeInterval(-3600), status: .pickedUp),  // gone
            parcel(6, deadline: now.addingTimeInterval(-3600), status: .retrieved),  // gone
            parcel(7, deadline: now.addingTimeInterval(-0.001)),
        ]
        #expect(RetentionPolicy().newlyOverdue(parcels, now: now).map(\.id) == [1, 2, 7])
        #expect(RetentionPolicy().newlyOverdue(parcels, now: t0).isEmpty)
        #expect(RetentionPolicy().newlyOverdue([Parcel](), now: now).isEmpty)
    }

    @Test func aParcelBecomesOverdueAtItsPolicyDeadline() {
        let policy = RetentionPolicy()
        let deadline = policy.deadline(for: .heated, depositedAt: t0)
        let heated = parcel(1, deadline: deadline)
        #expect(policy.newlyOverdue([heated], now: deadline.addingTimeInterval(-1)).isEmpty)
        #expect(policy.newlyOverdue([heated], now: deadline) == [heated])
    }
}
