import LockerMaintenanceProtocol
import NIOCore

/// What the maintenance server asks of the daemon: an answer to each admitted request, and a feed
/// of events for `events.follow`. The server knows sockets and framing; the responder knows the cabinet.
protocol MaintenanceResponder: Sendable {
    func respond(to request: MaintenanceRequest, from peer: MaintenancePeer) async -> MaintenanceResponse
    /// Starts sending event lines to `channel` (after the ok line was written) until it closes.
    /// `version`: the protocol version the follower asked in; its event lines are written in it.
    func follow(after sequence: Int64?, version: Int, channel: any Channel, peer: MaintenancePeer)
    /// A request the peer may not make (read-only access); recorded in the audit trail.
    func refused(_ request: MaintenanceRequest, from peer: MaintenancePeer, failure: MaintenanceFailure) async
    /// A connection turned away at the door: `forbidden` (its uid and gid are not admitted;
    /// recorded in the audit trail, rate-limited) or `busy` (too many clients; logged).
    func rejected(uid: UInt32, gid: UInt32, pid: Int32, failure: MaintenanceFailure)
}
