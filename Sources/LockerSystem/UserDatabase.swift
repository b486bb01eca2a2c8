#if canImport(Glibc)
import Glibc
#endif

/// Look-ups in the user and group database (NSS: /etc/passwd and /etc/group, or whatever the
/// machine is configured with). Nil or empty when an entry does not exist: callers decide what an
/// unknown name or uid means, and a failed look-up is never a reason to stop the daemon.
public enum UserDatabase {
    /// A generous buffer for one entry's strings: a group with many members needs more than the
    /// sysconf hint, and a look-up is rare (once per start, once per maintenance connection).
    private static let bufferSize = 16_384

    /// getgrnam_r(3): the gid of the group called `name`.
    public static func groupID(named name: String) -> UInt32? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: bufferSize)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }

    /// getpwuid_r(3): the login name of `uid`.
    public static func userName(of uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: bufferSize)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else {
            return nil
        }
        return String(cString: name)
    }

    /// getgrouplist(3): the groups of `uid` (its `primaryGroupID` first), empty for a uid with no
    /// name in the database.
    public static func groups(ofUser uid: UInt32, primaryGroupID: UInt32) -> [UInt32] {
        guard let name = userName(of: uid) else { return [] }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, primaryGroupID, &groups, &count) < 0 {
            // Too small: `count` now says how many there are.
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, primaryGroupID, &groups, &count) >= 0 else { return [] }
        }
        return Array(groups.prefix(Int(count)))
    }
}
