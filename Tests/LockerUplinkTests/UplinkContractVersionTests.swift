import Foundation
import LockerStore
import LockerUplink
import Testing

/// What contract version 2 adds: the chain head's epoch, the version announced and remembered,
/// and `422 bad_hash` for an event whose hash does not recompute.
@Suite(.serialized)
struct UplinkContractVersionTests {
    @Test func theChainHeadNamesItsEpochAndTheServersVersionIsRemembered() async throws {
        try await UplinkTestBed.run(contractVersion: 2) { bed in
            try bed.store.beginEpoch(at: Date())
            try bed.record(3)
            try await bed.drain()
            #expect(bed.server.lastChainHeadEpoch == bed.store.epoch)
            #expect(bed.service.status.serverContractVersion == 2)
        }
        try await UplinkTestBed.run(contractVersion: 1) { bed in
            try bed.store.beginEpoch(at: Date())
            try bed.record(3)
            try await bed.drain()
            #expect(bed.service.status.serverContractVersion == 1, "a server that announces nothing is version 1")
        }
    }

    /// A relay that changes one event's payload on the way (and signs again, as a compromised
    /// relay with the key would): the server stores what came before it, answers `422 bad_hash`
    /// naming it, and the cabinet halts instead of sending the same bytes for ever.
    @Test func anEventThatDoesNotRecomputeHaltsTheUploadAndWhatCameBeforeIsKept() async throws {
        try await UplinkTestBed.run(contractVersion: 2) { bed in
            try bed.store.beginEpoch(at: Date())
            try bed.record(10)
            let key = bed.key
            bed.network.rewrite.withLock {
                $0 = { body in
                    var text = String(decoding: body, as: UTF8.self)
                    if let range = text.range(of: #"{\"n\":5}"#) { text.replaceSubrange(range, with: #"{\"n\":50}"#) }
                    let changed = Data(text.utf8)
                    return (changed, (try? key.signatureHeader(for: changed)) ?? "")
                }
            }
            guard case .halted(let reason) = await bed.service.attempt(now: Date()) else {
                Issue.record("a bad hash did not halt the upload")
                return
            }
            #expect(reason.contains("bad_hash"))
            let halt = try #require(try bed.store.uplinkHalt())
            #expect(halt.code == "bad_hash" && halt.sequence == 6)
            #expect(bed.server.acked(epoch: bed.store.epoch) == 5, "the five events before it are stored")
            #expect(bed.server.stored.count == 5)
        }
    }
}
