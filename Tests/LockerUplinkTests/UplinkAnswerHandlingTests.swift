import Crypto
import Foundation
import LockerCore
import LockerStore
import LockerUplink
import Logging
import Synchronization
import Testing

/// What the uplink makes of answers a correct server would not give, or gives rarely.
@Suite struct UplinkAnswerHandlingTests {
    /// Answers every request with the next scripted (status, acknowledgement) and remembers the batches.
    final class ScriptedTransport: UplinkTransport {
        let answers: Mutex<[(Int, UplinkAcknowledgement?)]>
        let batches = Mutex<[UplinkEventBatch]>([])

        init(_ answers: [(Int, UplinkAcknowledgement?)]) {
            self.answers = Mutex(answers)
        }

        func post(_ body: Data, to url: URL, headers: [(String, String)], timeoutSeconds: Double) async throws -> UplinkHTTPResponse {
            let batch = try UplinkEventBatch.decoder().decode(UplinkEventBatch.self, from: body)
            batches.withLock { $0.append(batch) }
            let (status, answer) = answers.withLock { $0.isEmpty ? (503, nil) : $0.removeFirst() }
            return UplinkHTTPResponse(status: status, retryAfter: nil, body: try answer.map { try JSONEncoder().encode($0) } ?? Data())
        }

        func shutdown() async {}
    }

    func withUplink(_ answers: (String) -> [(Int, UplinkAcknowledgement?)], events: Int,
                    commandSink: (@Sendable ([UplinkAcknowledgement.Command]) async -> Void)? = nil,
                    _ body: (CabinetStore, UplinkService, ScriptedTransport, String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("uplink-answers-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try CabinetStore(path: directory.appendingPathComponent("lockerd.sqlite").path)
        let epoch = try store.beginEpoch(at: Date()).epoch
        try store.transaction(at: EventStamp(wallClock: Date(), monotonicNanoseconds: 1)) { tx in
            for _ in 0..<events { try tx.append(CustodyEvent(.daemonStarted)) }
        }
        let transport = ScriptedTransport(answers(epoch))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let service = try UplinkService(
            configuration: UplinkConfiguration(url: "https://central.example.com", batchEvents: 10), cabinetID: "cab a/1",
            store: store, transport: transport, key: CabinetSigningKey(privateKey: .init(), cabinetID: "cab a/1"),
            doorLabel: { _ in nil }, logger: logger, commandSink: commandSink)
        try await body(store, service, transport, epoch)
    }

    @Test func anAnswerThatStoresNothingBacksOffInsteadOfSpinning() async throws {
        try await withUplink({ epoch in [(200, UplinkAcknowledgement(epoch: epoch, ackedSequence: 0))] }, events: 5) { store, service, _, _ async throws in
            guard case .failed(let wait, let reason) = await service.attempt(now: Date()) else {
                Issue.record("an acknowledgement of nothing counted as delivery")
                return
            }
            #expect(wait >= 0 && reason.contains("acknowledged none"))
            #expect(try store.uplinkAcknowledgedSequence() == 0)
        }
    }

    @Test func anAcknowledgementBeyondTheBatchIsNotTrustedPastIt() async throws {
        // 25 events, batches of 10: the server claims 20 after receiving 1...10.
        try await withUplink({ epoch in [(200, UplinkAcknowledgement(epoch: epoch, ackedSequence: 20)),
                                         (200, UplinkAcknowledgement(epoch: epoch, ackedSequence: 20))] }, events: 25) { store, service, transport, _ async throws in
            _ = await service.attempt(now: Date())
            #expect(try store.uplinkAcknowledgedSequence() == 10, "only what was sent")
            _ = await service.attempt(now: Date())
            #expect(transport.batches.withLock { $0.last?.events.first?.sequence } == 11, "the next batch starts after the batch, not after the claim")
        }
    }

    @Test func anAcknowledgementOfAnotherEpochMovesNothing() async throws {
        try await withUplink({ _ in [(200, UplinkAcknowledgement(epoch: "someone-else", ackedSequence: 5))] }, events: 5) { store, service, _, _ async throws in
            guard case .failed(_, let reason) = await service.attempt(now: Date()) else {
                Issue.record("another epoch's acknowledgement was taken")
                return
            }
            #expect(reason.contains("someone-else"))
            #expect(try store.uplinkAcknowledgedSequence() == 0)
        }
    }

    @Test func theCabinetIdIsEncodedOnceInThePathAndTheTimesAreTheHashedTexts() async throws {
        try await withUplink({ epoch in [(200, UplinkAcknowledgement(epoch: epoch, ackedSequence: 3))] }, events: 3) { store, service, transport, _ async throws in
            _ = await service.attempt(now: Date())
            let batch = try #require(transport.batches.withLock { $0.first })
            let event = try #require(batch.events.first)
            let recorded = try #require(try store.events(after: 0, limit: 1).first)
            #expect(event.occurredAtSeconds == String(recorded.occurredAt.timeIntervalSince1970))
            #expect(event.monotonicNanoseconds == "1")
            #expect(batch.cabinetId == "cab a/1")
        }
    }

    @Test func commandsInAnAcknowledgementReachTheCabinetAfterTheAcknowledgementIsDurable() async throws {
        let received = Mutex<[String]>([])
        var command = UplinkAcknowledgement.Command(id: "c-1", type: "pre_advice")
        command.preAdvice = .init(trackingNumber: "SF1", size: "S")
        let ack = { (epoch: String) in UplinkAcknowledgement(epoch: epoch, ackedSequence: 2, commands: [command]) }
        try await withUplink({ epoch in [(200, ack(epoch))] }, events: 2, commandSink: { commands in
            received.withLock { $0 += commands.map(\.id) }
        }) { store, service, _, _ async throws in
            _ = await service.attempt(now: Date())
            #expect(received.withLock { $0 } == ["c-1"])
            #expect(try store.uplinkAcknowledgedSequence() == 2)
        }
    }
}
