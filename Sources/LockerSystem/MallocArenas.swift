import CSystemShims

/// glibc's allocator gives threads that meet on its lock arenas of their own (up to eight per
/// core), and each arena keeps the memory it once held, fragmented. In lockerd that was most of
/// the slow growth of resident memory: 10,000 deposits and pickups grew it by 2.4 MB with the
/// default arenas and by 1.1 MB with two (Benchmarks/footprint.py). lockerd's threads allocate
/// little at once, so two arenas cost no measurable wait.
public enum MallocArenas {
    /// Caps the arenas at `count` (call first thing: arenas already made stay). False if refused.
    @discardableResult
    public static func limit(to count: Int32) -> Bool {
        lockerd_limit_malloc_arenas(count) == 1
    }
}
