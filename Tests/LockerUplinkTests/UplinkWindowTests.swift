import Foundation
import LockerStore
import LockerTestSupport
import LockerUplink
import Testing

/// Contract version 3: several batches in flight against a server that announces a window and
/// holds batches that arrive beyond a gap. Still every event exactly once and in order, through
/// the same faults as one batch at a time; a version-2 server still gets one batch at a time.
@Suite struct UplinkWindowTests {
    @Test func aVersion3ServerGetsSeveralBatchesAtOnceAndEveryEventOnceInOrder() async throws {
        try await UplinkTestBed.run(timeoutSeconds: 5, contractVersion: 3, serverThreads: 4, serverAnswerDelaySeconds: 0.3) { bed in
            try bed.record(20)
            try await bed.drain()  // the first answer announces the window
            try bed.record(6_000)
            let outcomes = try await bed.drain()
            #expect(try bed.serverHoldsExactlyTheStore() == nil)
            #expect(bed.server.mostConcurrentRequests > 1, "batches went one at a time")
            #expect(bed.service.status.serverWindow == 4 && bed.service.status.serverWindowEvents == 4_000)
            #expect(outcomes.count < 6_000 / 200 / 2, "\(outcomes.count) attempts for 30 batches: the window was not used")
            #expect(bed.server.eventsReceived == 6_020, "nothing sent twice without a fault: \(bed.server.eventsReceived)")
        }
    }

    @Test func aVersion2ServerGetsOneBatchAtATime() async throws {
        try await UplinkTestBed.run(timeoutSeconds: 5, contractVersion: 2, serverThreads: 4, serverAnswerDelaySeconds: 0.05) { bed in
            try bed.record(2_000)
            try await bed.drain()
            #expect(try bed.serverHoldsExactlyTheStore() == nil)
            #expect(bed.server.mostConcurrentRequests == 1)
            #expect(bed.service.status.serverWindow == nil)
        }
    }

    /// Lost requests and answers, answers after the timeout, stale, low and failed answers, at
    /// random, with four batches in flight: the server ends up with every event once, in order,
    /// and a low answer costs about one window, never the epoch.
    @Test(arguments: [UInt64(3), 17, 2026])
    func faultsWithSeveralBatchesInFlightLoseAndRepeatNothing(seed: UInt64) async throws {
        let faults: [ContractServer.Fault] = [.dropAfterReceiving, .dropAfterStoring, .internalError, .slowAnswer,
                                              .staleAnswer, .lowAnswer]
        let chooser: @Sendable (Int) -> ContractServer.Fault = { arrival in
            var random = SplitMix64(seed: seed &* 7_919 &+ UInt64(arrival))
            return Int.random(in: 0..<100, using: &random) < 20 ? faults.randomElement(using: &random)! : .none
        }
        try await UplinkTestBed.run(faults: chooser, timeoutSeconds: 0.5, contractVersion: 3, serverThreads: 4) { bed in
            try bed.record(4_000)
            var attempts = 0
            while try bed.store.uplinkBacklog().count > 0 && attempts < 2_000 {
                _ = await bed.service.attempt(now: Date())
                attempts += 1
            }
            #expect(try bed.store.uplinkBacklog().count == 0, "seed \(seed): not drained in \(attempts) attempts")
            #expect(try bed.serverHoldsExactlyTheStore() == nil, "seed \(seed)")
            #expect(bed.server.eventsReceived < 4_000 * 4, "seed \(seed): \(bed.server.eventsReceived) events sent for 4,000")
        }
    }
}

/// gzip bodies (contract version 3): only to a server that announces it, signature over the JSON.
@Suite struct UplinkCompressionTests {
    @Test func aServerThatAcceptsGzipGetsCompressedBatchesAndEveryEventOnce() async throws {
        try await UplinkTestBed.run(timeoutSeconds: 5, contractVersion: 3, serverThreads: 2, serverAcceptsGzip: true) { bed in
            try bed.record(10)
            try await bed.drain()  // learns that the server takes gzip
            let before = bed.server.bytesReceived
            try bed.record(3_000)
            try await bed.drain()
            #expect(try bed.serverHoldsExactlyTheStore() == nil)
            #expect(bed.server.gzipBodies > 0)
            let plain = try bed.store.events(after: 10, limit: 3_000).map { UplinkEventBatch.Event($0, door: nil) }
            let plainBytes = try UplinkEventBatch.encoder().encode(plain).count
            let sent = bed.server.bytesReceived - before
            #expect(sent * 4 < plainBytes, "\(sent) bytes on the wire for \(plainBytes) bytes of events")
        }
    }

    @Test func aServerThatDoesNotAnnounceGzipGetsPlainJSON() async throws {
        try await UplinkTestBed.run(timeoutSeconds: 5, contractVersion: 3, serverThreads: 2) { bed in
            try bed.record(2_000)
            try await bed.drain()
            try bed.record(2_000)
            try await bed.drain()
            #expect(try bed.serverHoldsExactlyTheStore() == nil)
            #expect(bed.server.gzipBodies == 0)
        }
    }

    @Test func gzipRoundTrips() throws {
        let text = Data(String(repeating: "{\"kind\":\"door.reconciled\"}", count: 500).utf8)
        let compressed = try UplinkCompression.gzip(text)
        #expect(compressed.count < text.count / 10)
        #expect(compressed.prefix(2) == Data([0x1F, 0x8B]), "a gzip member (RFC 1952)")
        #expect(try UplinkCompression.gunzip(compressed) == text)
    }
}
