import LockerSystem

/// Decides from a peer's uid and gid whether it may use the maintenance socket, and how.
///
/// Authorisation is on uid and gid only (never the pid, which a process can lose and another
/// reuse). Root and the daemon's own user get full access; members of the maintenance group full
/// access; members of the read-only group read-only access; everyone else is turned away. A member
/// is a peer whose primary gid is the group, or whose user lists it among its supplementary groups.
public struct MaintenanceAccessPolicy: Sendable {
    public var fullGroupID: UInt32?
    public var readOnlyGroupID: UInt32?
    public var daemonUserID: UInt32
    /// The groups of a user (primary first), by uid: the user database in production, a table in tests.
    public var groupsOfUser: @Sendable (_ uid: UInt32, _ primaryGID: UInt32) -> [UInt32]
    public var userName: @Sendable (_ uid: UInt32) -> String

    public init(
        fullGroupID: UInt32?, readOnlyGroupID: UInt32?, daemonUserID: UInt32,
        groupsOfUser: @escaping @Sendable (UInt32, UInt32) -> [UInt32] = MaintenanceAccessPolicy.systemGroups,
        userName: @escaping @Sendable (UInt32) -> String = MaintenanceAccessPolicy.systemUserName
    ) {
        self.fullGroupID = fullGroupID
        self.readOnlyGroupID = readOnlyGroupID
        self.daemonUserID = daemonUserID
        self.groupsOfUser = groupsOfUser
        self.userName = userName
    }

    /// The policy of a configuration; also says which named groups do not exist (for the log).
    public static func resolve(_ configuration: MaintenanceConfiguration) -> (MaintenanceAccessPolicy, missingGroups: [String]) {
        var missing: [String] = []
        let full = groupID(named: configuration.group)
        if full == nil { missing.append(configuration.group) }
        var readOnly: UInt32?
        if let name = configuration.readOnlyGroup {
            readOnly = groupID(named: name)
            if readOnly == nil { missing.append(name) }
        }
        return (MaintenanceAccessPolicy(fullGroupID: full, readOnlyGroupID: readOnly, daemonUserID: ProcessCalls.effectiveUserID), missing)
    }

    public func access(uid: UInt32, gid: UInt32) -> MaintenancePeer.Access? {
        if uid == 0 || uid == daemonUserID { return .full }
        let groups = Set([gid] + groupsOfUser(uid, gid))
        if let fullGroupID, groups.contains(fullGroupID) { return .full }
        if let readOnlyGroupID, groups.contains(readOnlyGroupID) { return .readOnly }
        return nil
    }

    public static func groupID(named name: String) -> UInt32? {
        if let number = UInt32(name) { return number }
        return UserDatabase.groupID(named: name)
    }

    @Sendable public static func systemUserName(_ uid: UInt32) -> String {
        UserDatabase.userName(of: uid) ?? "uid \(uid)"
    }

    /// The user's groups from the user database (`getgrouplist`); none for a uid without a name.
    @Sendable public static func systemGroups(_ uid: UInt32, _ primaryGID: UInt32) -> [UInt32] {
        UserDatabase.groups(ofUser: uid, primaryGroupID: primaryGID)
    }
}
