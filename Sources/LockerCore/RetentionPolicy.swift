public import Foundation

/// How long a parcel may wait before it is overdue, per temperature class (chilled food keeps less
/// long than a book).
public struct RetentionPolicy: Sendable, Equatable {
    public var secondsByClass: [TemperatureClass: Double]

    public init(secondsByClass: [TemperatureClass: Double] = RetentionPolicy.defaultSeconds) {
        self.secondsByClass = secondsByClass
    }

    public static let defaultSeconds: [TemperatureClass: Double] = [
        .ambient: 48 * 3600, .chilled: 24 * 3600, .frozen: 24 * 3600, .heated: 4 * 3600,
    ]

    public func deadline(for temperatureClass: TemperatureClass, depositedAt: Date) -> Date {
        depositedAt.addingTimeInterval(secondsByClass[temperatureClass] ?? 48 * 3600)
    }

    /// The live parcels whose deadline has passed and that are not yet flagged.
    public func newlyOverdue(_ parcels: some Sequence<Parcel>, now: Date) -> [Parcel] {
        parcels.filter { $0.status == .inCustody && $0.retentionDeadline <= now }
    }
}
