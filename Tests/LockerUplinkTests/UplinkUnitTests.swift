import Crypto
import Foundation
import LockerCore
import LockerStore
import LockerTestSupport
import LockerUplink
import Testing

@Suite struct UplinkBackoffTests {
    @Test func fullJitterStaysUnderAnExponentialCeilingThatStopsAtTheCap() {
        let backoff = UplinkBackoff(baseSeconds: 2, capSeconds: 300)
        #expect(backoff.ceiling(afterFailures: 0) == 2)
        #expect(backoff.ceiling(afterFailures: 3) == 16)
        #expect(backoff.ceiling(afterFailures: 8) == 300)
        #expect(backoff.ceiling(afterFailures: 10_000) == 300)
        var random = SplitMix64(seed: 7)
        var delays: [Double] = []
        for failures in 0..<40 {
            let delay = backoff.delay(afterFailures: failures, retryAfter: nil, random: &random)
            #expect(delay >= 0 && delay <= backoff.ceiling(afterFailures: failures))
            delays.append(delay)
        }
        #expect(Set(delays).count > 30, "jittered, not a fixed schedule")
    }

    @Test func retryAfterIsHonouredButBounded() {
        let backoff = UplinkBackoff(baseSeconds: 1, capSeconds: 60)
        var random = SplitMix64(seed: 1)
        #expect(backoff.delay(afterFailures: 0, retryAfter: 30, random: &random) == 30)
        #expect(backoff.delay(afterFailures: 0, retryAfter: 86_400 * 30, random: &random) == 240, "a month-long Retry-After is capped")
    }

    @Test func retryAfterReadsSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(UplinkRetryAfter.seconds("120", now: now) == 120)
        #expect(UplinkRetryAfter.seconds(" 0 ", now: now) == 0)
        #expect(UplinkRetryAfter.seconds("-5", now: now) == nil)
        #expect(UplinkRetryAfter.seconds("soon", now: now) == nil)
        #expect(UplinkRetryAfter.seconds(nil, now: now) == nil)
        // 1_800_000_000 is Fri, 15 Jan 2027 08:00:00 GMT.
        #expect(UplinkRetryAfter.seconds("Fri, 15 Jan 2027 08:01:30 GMT", now: now) == 90)
        #expect(UplinkRetryAfter.seconds("Fri, 15 Jan 2027 07:00:00 GMT", now: now) == 0)
    }

    @Test func theConfigurationRefusesPlainHTTPAwayFromLoopback() {
        #expect(UplinkConfiguration(url: "https://central.example.com").problems().isEmpty)
        #expect(UplinkConfiguration(url: "http://127.0.0.1:8080").problems().isEmpty)
        #expect(UplinkConfiguration(url: "http://central.example.com").problems().contains { $0.contains("https") })
        #expect(UplinkConfiguration(url: "ftp://x").problems().contains { $0.contains("https") })
        var partial = UplinkConfiguration(url: "https://c.example.com")
        partial.clientCertificateFile = "/etc/lockerd/client.pem"
        #expect(partial.problems().contains { $0.contains("go together") })
    }
}

@Suite struct UplinkStoreTests {
    func withStore(_ body: (CabinetStore) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("uplink-store-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(CabinetStore(path: directory.appendingPathComponent("lockerd.sqlite").path))
    }

    func record(_ count: Int, in store: CabinetStore) throws {
        try store.transaction(at: EventStamp(wallClock: Date(), monotonicNanoseconds: 1)) { tx in
            for _ in 0..<count { try tx.append(CustodyEvent(.daemonStarted)) }
        }
    }

    @Test func theAcknowledgementOnlyMovesForwardAndNeverPastTheLastEvent() throws {
        try withStore { store in
            try record(10, in: store)
            #expect(try store.recordUplinkAcknowledgement(upTo: 6) == 6)
            #expect(try store.recordUplinkAcknowledgement(upTo: 3) == 6, "a late answer does not take it back")
            #expect(try store.recordUplinkAcknowledgement(upTo: 99) == 10, "not past what exists")
            #expect(try store.uplinkBacklog().count == 0)
            try record(2, in: store)
            #expect(try store.uplinkBacklog().count == 2)
        }
    }

    @Test func eachStartIsANewEpochAndABatchNeverMixesEpochs() throws {
        try withStore { store in
            let first = try store.beginEpoch(at: Date())
            try record(3, in: store)
            let second = try store.beginEpoch(at: Date())
            try record(2, in: store)
            #expect(first.epoch != second.epoch && first.firstSequence == 1 && second.firstSequence == 4)
            #expect(try store.firstSequence(ofEpoch: second.epoch) == 4)
            #expect(try store.lastSequence(ofEpoch: first.epoch) == 3)
            #expect(try store.lastSequence(ofEpoch: second.epoch) == 5)
            // An epoch that recorded nothing before the next began (both start at 6), and one
            // this database never had, have no last event; the earlier epochs keep theirs.
            let empty = try store.beginEpoch(at: Date())
            let third = try store.beginEpoch(at: Date())
            try record(1, in: store)
            #expect(empty.firstSequence == 6 && third.firstSequence == 6)
            #expect(try store.lastSequence(ofEpoch: empty.epoch) == nil)
            #expect(try store.lastSequence(ofEpoch: third.epoch) == 6)
            #expect(try store.lastSequence(ofEpoch: "no-such-epoch") == nil)
            #expect(try store.lastSequence(ofEpoch: first.epoch) == 3 && store.lastSequence(ofEpoch: second.epoch) == 5)
            _ = try store.beginEpoch(at: Date())
            #expect(try store.lastSequence(ofEpoch: third.epoch) == 6)
            let batch = try store.eventsForUpload(after: 0, limit: 100)
            #expect(batch.map(\.sequence) == [1, 2, 3] && batch.allSatisfy { $0.epoch == first.epoch })
            #expect(try store.eventsForUpload(after: 3, limit: 100).map(\.sequence) == [4, 5])
            #expect(try store.verifyEventChain() == .intact(events: 6, head: try store.chainHead().hash))
        }
    }
}

@Suite struct UplinkContractTests {
    /// The worked example in openapi.yaml is what the cabinet computes.
    @Test func theContractsHashExampleIsTheCabinetsHash() throws {
        let contract = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/LockerUplink/openapi.yaml"),
                                  encoding: .utf8)
        let hash = EventHashChain.hash(
            previous: EventHashChain.genesis, sequence: 1, epoch: "5f0c8a3e9b2d4c61a7e8f9012b3c4d5e", kind: "deposit.committed",
            occurredAt: 1_800_000_000.25, monotonicNanoseconds: 123_456_789_012, compartmentID: 6, parcelID: 17,
            payload: #"{"label":"A07","tracking_number":"SF1000000001"}"#)
        #expect(contract.contains("`\(hash)`"), "the example hash in openapi.yaml is \(hash)")
        let texts = EventHashChain.hashedTexts(occurredAt: 1_800_000_000.25, monotonicNanoseconds: 123_456_789_012)
        #expect(texts.occurredAt == "1800000000.25" && texts.monotonicNanoseconds == "123456789012")
    }
}

@Suite struct OfflineCredentialTests {
    let key = Curve25519.Signing.PrivateKey()
    var keys: [String: Curve25519.Signing.PublicKey] { ["k1": key.publicKey] }
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func claims(exp: Double = 1_800_003_600) -> OfflineCredential.Claims {
        .init(kid: "k1", typ: "pickup", cab: "cab-1", exp: exp, jti: "j-1", parcel: 17)
    }

    @Test func aGoodTokenVerifiesAndEachDefectIsNamed() throws {
        let good = try OfflineCredential.issue(claims(), signedWith: key)
        #expect(try OfflineCredential.verify(good, keys: keys, cabinetID: "cab-1", latestKnownTime: now).claims == claims())
        #expect(throws: OfflineCredential.Rejection.otherCabinet("cab-1")) {
            try OfflineCredential.verify(good, keys: keys, cabinetID: "cab-2", latestKnownTime: now)
        }
        #expect(throws: OfflineCredential.Rejection.expired) {
            try OfflineCredential.verify(good, keys: keys, cabinetID: "cab-1", latestKnownTime: now.addingTimeInterval(3_600))
        }
        #expect(throws: OfflineCredential.Rejection.unknownKey("k1")) {
            try OfflineCredential.verify(good, keys: [:], cabinetID: "cab-1", latestKnownTime: now)
        }
        let forged = try OfflineCredential.issue(claims(exp: 1_900_000_000), signedWith: .init())
        #expect(throws: OfflineCredential.Rejection.badSignature) {
            try OfflineCredential.verify(forged, keys: keys, cabinetID: "cab-1", latestKnownTime: now)
        }
        // The claims changed after signing (a later expiry spliced onto a real signature).
        let parts = good.split(separator: ".")
        let spliced = "LKT1." + forged.split(separator: ".")[1] + "." + parts[2]
        #expect(throws: OfflineCredential.Rejection.badSignature) {
            try OfflineCredential.verify(spliced, keys: keys, cabinetID: "cab-1", latestKnownTime: now)
        }
        for garbage in ["", "LKT1.", "LKT1.a.b.c", "LKT1.!!!.???", "QR:123456", String(repeating: "LKT1.", count: 1_000)] {
            #expect(throws: OfflineCredential.Rejection.malformed) {
                try OfflineCredential.verify(garbage, keys: keys, cabinetID: "cab-1", latestKnownTime: now)
            }
        }
    }
}

@Suite struct UplinkAcknowledgementDecodingTests {
    @Test func aCommandThatCannotBeReadBecomesAMalformedOneAndTheRestStays() throws {
        let json = #"""
            {"epoch":"e","ackedSequence":4,"commands":[
              {"id":"a","type":"revoke_code","parcelId":7},
              {"id":"b","type":"extend_code","parcelId":"seven"},
              {"type":"remote_open"},
              {"id":"c","type":"pre_advice","preAdvice":{"trackingNumber":"SF1","size":"S"}}
            ]}
            """#
        let answer = try UplinkEventBatch.decoder().decode(UplinkAcknowledgement.self, from: Data(json.utf8))
        #expect(answer.ackedSequence == 4)
        #expect(answer.commands?.map(\.id) == ["a", "b", "c"])
        #expect(answer.commands?[1].type == UplinkAcknowledgement.Command.malformedType)
        #expect(answer.commands?[0].parcelId == 7)
    }
}
