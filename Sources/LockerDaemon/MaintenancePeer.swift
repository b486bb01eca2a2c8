/// Who is on the other end of a maintenance connection, as the kernel vouches for it
/// (`SO_PEERCRED`, taken when the client connected), and what it may do.
public struct MaintenancePeer: Sendable, Equatable, CustomStringConvertible {
    public enum Access: String, Sendable {
        case full
        case readOnly = "read-only"
    }

    public var uid: UInt32
    public var gid: UInt32
    /// For the log only: a pid can be reused, so it never decides anything.
    public var pid: Int32
    /// The user name for the audit trail ("uid 1234" when the user database has none).
    public var userName: String
    public var access: Access

    public init(uid: UInt32, gid: UInt32, pid: Int32, userName: String, access: Access) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.userName = userName
        self.access = access
    }

    public var description: String { "\(userName) (uid \(uid))" }
}
