// Latency and allocations of `CompartmentAssigner.choose(_:)`, the decision taken while a courier
// stands at the screen, on stations of 30, 1,000 and 10,000 compartments.
//
// Targets: p99 <= 2 µs at 30 compartments, <= 20 µs at 10,000, and no allocation at all in
// `choose` (mallocCountTotal 0 at every percentile).
//
// In the "choose" benchmarks each iteration is one call, so the percentiles are those of single
// decisions (including the framework's own timing overhead); the "choose x1000" ones show the
// per-call cost without it. Requests cycle through a fixed, seeded list so every run measures
// the same work.
import Benchmark
import LockerAssignment

let benchmarks: @Sendable () -> Void = {
    let stationSizes = [30, 1_000, 10_000]

    for compartmentCount in stationSizes {
        Benchmark(
            "choose, \(compartmentCount) compartments",
            configuration: .init(
                metrics: [.wallClock, .mallocCountTotal],
                timeUnits: .nanoseconds,
                warmupIterations: 1_000,
                maxDuration: .seconds(2),
                maxIterations: 1_000_000
            )
        ) { benchmark, station in
            let request = station.requests[benchmark.currentIteration & StationFixture.requestMask]
            blackHole(station.assigner.choose(request))
        } setup: {
            StationFixture(compartmentCount: compartmentCount)
        }
    }

    // The same decisions a thousand at a time: the framework's timing overhead (tens of
    // nanoseconds, most of the single-call figures above) is spread over the batch, so these
    // per-call figures show the cost of `choose` itself.
    for compartmentCount in stationSizes {
        Benchmark(
            "choose x1000, \(compartmentCount) compartments",
            configuration: .init(
                metrics: [.wallClock, .mallocCountTotal],
                timeUnits: .nanoseconds,
                warmupIterations: 10,
                scalingFactor: .kilo,
                maxDuration: .seconds(1),
                maxIterations: 10_000
            )
        ) { benchmark, station in
            var offset = benchmark.currentIteration &* 1_000
            for _ in benchmark.scaledIterations {
                blackHole(station.assigner.choose(station.requests[offset & StationFixture.requestMask]))
                offset &+= 1
            }
        } setup: {
            StationFixture(compartmentCount: compartmentCount)
        }
    }

    // update(slot:to:) runs once per door event, far less often than choose, and may allocate;
    // measured so that its cost on a large station stays visible. Each iteration fills an empty
    // compartment and empties it again (two updates), so the station does not drift.
    for compartmentCount in stationSizes {
        Benchmark(
            "update (fill and empty), \(compartmentCount) compartments",
            configuration: .init(
                metrics: [.wallClock, .mallocCountTotal],
                timeUnits: .nanoseconds,
                warmupIterations: 1_000,
                maxDuration: .seconds(2),
                maxIterations: 200_000
            )
        ) { benchmark, station in
            let index = station.availableSlots[benchmark.currentIteration % station.availableSlots.count]
            let emptySlot = station.assigner.slot(at: index)
            var filled = emptySlot
            filled.availability = .occupied
            filled.usedUnits = 1
            filled.recipientKey = 0xF111
            filled.latchCycles += 1
            station.assigner.update(slot: index, to: filled)
            var emptied = filled
            emptied.availability = .available
            emptied.usedUnits = 0
            emptied.recipientKey = 0
            emptied.latchCycles += 1
            station.assigner.update(slot: index, to: emptied)
            blackHole(station.assigner.slotCount)
        } setup: {
            StationFixture(compartmentCount: compartmentCount)
        }
    }
}

/// A station with a realistic mix of compartments and a list of requests to put to it.
///
/// A class so that the update benchmark can change the assigner in place between iterations.
final class StationFixture {
    static let requestCount = 4_096
    static let requestMask = requestCount - 1

    var assigner: CompartmentAssigner
    let requests: [AssignmentRequest]
    /// Indexes of the slots that are available at the start, for the update benchmark.
    let availableSlots: [Int32]

    /// - Mix: sizes XS 10 %, S 30 %, M 30 %, L 20 %, XL 10 %; ambient 85 %, chilled 10 %,
    ///   frozen 5 %; 20 % at accessible height; 60 % occupied (by a pool of recipients, so some
    ///   hold several compartments), 8 % unavailable, the rest available; wear up to 50,000
    ///   latch cycles.
    /// - Requests: mostly S and M parcels, 5 % needing an accessible door, 30 % for a
    ///   recipient who already has parcels there, 20 % for an unknown recipient, 5 % asking
    ///   for a larger door.
    init(compartmentCount: Int) {
        var random = SeededGenerator(seed: 0x10C4E2 &+ UInt64(compartmentCount))
        let recipientPool = max(1, compartmentCount / 2)
        var slots: [CompartmentSlot] = []
        slots.reserveCapacity(compartmentCount)
        for _ in 0..<compartmentCount {
            let size = Self.pick([(CompartmentSize.xs, 10), (.s, 30), (.m, 30), (.l, 20), (.xl, 10)], &random)
            var slot = CompartmentSlot(
                size: size,
                temperatureClass: Self.pick([(TemperatureClass.ambient, 85), (.chilled, 10), (.frozen, 5)], &random),
                isAccessible: random.percent(20),
                latchCycles: UInt32(random.below(50_000))
            )
            let roll = random.below(100)
            if roll < 60 {
                slot.availability = .occupied
                slot.recipientKey = 1 + random.below(UInt64(recipientPool))
                slot.usedUnits = UInt8(1 + random.below(UInt64(size.capacityUnits)))
            } else if roll < 68 {
                slot.availability = .unavailable
            }
            slots.append(slot)
        }

        var requests: [AssignmentRequest] = []
        requests.reserveCapacity(Self.requestCount)
        for _ in 0..<Self.requestCount {
            let parcelSize = Self.pick([(CompartmentSize.xs, 15), (.s, 35), (.m, 30), (.l, 15), (.xl, 5)], &random)
            var request = AssignmentRequest(
                parcelSize: parcelSize,
                temperatureClass: Self.pick([(TemperatureClass.ambient, 85), (.chilled, 10), (.frozen, 5)], &random),
                needsAccessible: random.percent(5)
            )
            let recipientRoll = random.below(100)
            if recipientRoll < 30 {
                request.recipientKey = 1 + random.below(UInt64(recipientPool))
            } else if recipientRoll < 80 {
                request.recipientKey = 1_000_000 + random.below(1_000_000)
            }
            if random.percent(5), parcelSize < .xl {
                request.minimumCompartmentSize = CompartmentSize(rawValue: parcelSize.rawValue + 1)!
                request.excludedSlot = Int32(random.below(UInt64(compartmentCount)))
            }
            requests.append(request)
        }

        assigner = CompartmentAssigner(slots: slots)
        self.requests = requests
        availableSlots = slots.indices.filter { slots[$0].availability == .available }.map { Int32($0) }
    }

    /// One of the values, each with a chance proportional to its weight.
    private static func pick<Value>(_ weighted: [(Value, Int)], _ random: inout SeededGenerator) -> Value {
        var roll = Int(random.below(UInt64(weighted.reduce(0) { $0 + $1.1 })))
        for (value, weight) in weighted {
            if roll < weight { return value }
            roll -= weight
        }
        return weighted[weighted.count - 1].0
    }
}

/// SplitMix64: the same station and requests on every run, so runs can be compared.
struct SeededGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A number in 0..<bound (bound > 0); the slight modulo bias does not matter here.
    mutating func below(_ bound: UInt64) -> UInt64 {
        next() % bound
    }

    mutating func percent(_ chance: UInt64) -> Bool {
        below(100) < chance
    }
}
