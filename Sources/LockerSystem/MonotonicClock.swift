#if canImport(Glibc)
import Glibc
#endif

/// CLOCK_MONOTONIC: time since boot that NTP and a person setting the clock never move. Read
/// directly rather than through `ContinuousClock` because the kernel stamps GPIO edges with this
/// very clock (Linux 5.7 and later), and the stamps and "now" must be comparable.
public enum MonotonicClock {
    /// The time since boot, to the nanosecond.
    public static var now: Duration {
        let spec = read()
        return .seconds(Int64(spec.tv_sec)) + .nanoseconds(Int64(spec.tv_nsec))
    }

    /// The time since boot in nanoseconds (584 years of uptime before it wraps).
    public static var nanoseconds: UInt64 {
        let spec = read()
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    private static func read() -> timespec {
        var spec = timespec()
        // Cannot fail for CLOCK_MONOTONIC with a valid pointer (clock_gettime(2): EINVAL, EFAULT).
        _ = clock_gettime(CLOCK_MONOTONIC, &spec)
        return spec
    }
}
