import LockerSystem
import Testing

/// glibc takes the arena cap lockerd sets at start (mallopt answers 1); a refusal would leave the
/// default arenas, and the growth Benchmarks/footprint.py measures, unnoticed.
struct MallocArenasTests {
    @Test func glibcTakesTheArenaCap() {
        #expect(MallocArenas.limit(to: 2))
    }
}
