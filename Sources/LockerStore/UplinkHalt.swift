public import Foundation
public import LockerCore

/// Why the upload stopped and waits for people: the server answered that an event it holds under
/// one of ours differs (`hash_conflict`) or that one of ours does not recompute (`bad_hash`), or
/// it holds less than this cabinet compacted (`events_compacted`).
/// Sending the same bytes again cannot help, so the cabinet stops sending events (it still polls
/// for commands) until a technician resumes it with `lockerctl uplink resume`.
public struct UplinkHalt: Sendable, Equatable {
    public var epoch: String
    /// The event the server named, when it named one.
    public var sequence: Int64?
    /// The server's problem code (`hash_conflict`, `bad_hash`), or `events_compacted`.
    public var code: String
    public var detail: String
    public var haltedAt: Date

    public init(epoch: String, sequence: Int64?, code: String, detail: String, haltedAt: Date) {
        self.epoch = epoch
        self.sequence = sequence
        self.code = code
        self.detail = detail
        self.haltedAt = haltedAt
    }

    /// The alarm recorded with the halt (in the same transaction): the server learns of it too
    /// once the upload resumes, and the maintenance feed shows it at once.
    public var alarmEvent: CustodyEvent {
        var payload: [String: EventValue] = ["epoch": .string(epoch), "code": .string(code), "detail": .string(detail)]
        if let sequence { payload["sequence"] = .int(sequence) }
        return CustodyEvent(.uplinkHalted, payload: payload)
    }

    /// The code of a halt the cabinet decides itself: the server holds less than a checkpoint's
    /// cut, and the events it lacks were compacted.
    public static let eventsCompacted = "events_compacted"

    /// What a person does about it, for `lockerctl queue`.
    public var advice: String {
        if code == Self.eventsCompacted {
            return "the server lacks events from #\(sequence.map(String.init) ?? "?") of epoch \(epoch) that this cabinet compacted "
                + "behind a checkpoint: they are gone; the server takes the checkpoint's cut as its base for this epoch (contract, "
                + "\"Compaction\"), then run `lockerctl uplink resume --reason ...`"
        }
        return "the server holds something else under event \(sequence.map { "#\($0)" } ?? "?") of epoch \(epoch) (\(code)): "
            + "compare the cabinet's record (lockerctl audit verify, lockerctl events) with the server's, resolve it on the "
            + "server, then run `lockerctl uplink resume --reason ...`"
    }
}
