/// Nearest-rank percentiles of a sample: p50 is a value that occurred, never an interpolation
/// between two parcels' dwell times.
enum NearestRank {
    /// `sorted` ascending; `fraction` in (0, 1].
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
