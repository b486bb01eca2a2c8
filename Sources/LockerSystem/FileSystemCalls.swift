#if canImport(Glibc)
import Glibc
#endif

/// Calls on paths rather than on open descriptors: status, FIFOs, renames and links, removal,
/// modes and owners, symbolic links resolved, a directory synced. Each is retried on EINTR and
/// throws a `SystemCallError` naming the call and the path (both paths where there are two).
public enum FileSystemCalls {
    /// stat(2): follows a symbolic link to what it points to.
    public static func status(of path: String) throws(SystemCallError) -> FileStatus {
        var status = stat()
        try SystemCall.run("stat", path: path) { Int(stat(path, &status)) }
        return FileStatus(status)
    }

    /// lstat(2): a symbolic link is reported as one, not followed.
    public static func linkStatus(of path: String) throws(SystemCallError) -> FileStatus {
        var status = stat()
        try SystemCall.run("lstat", path: path) { Int(lstat(path, &status)) }
        return FileStatus(status)
    }

    /// mkfifo(3): a named pipe at `path` (EEXIST when anything is there already).
    public static func makeFIFO(at path: String, permissions: UInt32 = 0o600) throws(SystemCallError) {
        try SystemCall.run("mkfifo", path: path) { Int(mkfifo(path, mode_t(permissions))) }
    }

    /// rename(2): atomically replaces `target` (on the same file system), so a reader sees the old
    /// file or the new one, never neither. The error's path names both.
    public static func rename(_ source: String, to target: String) throws(SystemCallError) {
        try SystemCall.run("rename", path: "\(source) -> \(target)") { Int(Glibc.rename(source, target)) }
    }

    /// link(2): a second name for `existing`; fails with EEXIST rather than replace `newPath`,
    /// which is what makes it the safe way to install a file that must never be overwritten.
    public static func link(_ existing: String, to newPath: String) throws(SystemCallError) {
        try SystemCall.run("link", path: "\(existing) -> \(newPath)") { Int(Glibc.link(existing, newPath)) }
    }

    /// unlink(2).
    public static func unlink(_ path: String) throws(SystemCallError) {
        try SystemCall.run("unlink", path: path) { Int(Glibc.unlink(path)) }
    }

    /// unlink(2) for clean-up: nothing there is no failure, and another failure only leaves a
    /// stray file behind, which the caller has no better answer to than carrying on. True when a
    /// file was removed.
    @discardableResult
    public static func removeIfPresent(_ path: String) -> Bool {
        (try? unlink(path)) != nil
    }

    /// realpath(3): the absolute path with every symbolic link and `.`/`..` resolved.
    public static func resolvingSymbolicLinks(_ path: String) throws(SystemCallError) -> String {
        while true {
            if let resolved = realpath(path, nil) {
                defer { free(resolved) }
                return String(cString: resolved)
            }
            let code = errno
            if code == EINTR { continue }
            throw SystemCallError(call: "realpath", path: path, code: code)
        }
    }

    /// chmod(2): the permission bits (follows a symbolic link).
    public static func changeMode(of path: String, to permissions: UInt32) throws(SystemCallError) {
        try SystemCall.run("chmod", path: path) { Int(chmod(path, mode_t(permissions))) }
    }

    /// lchown(2) of the group only (the owner is left as it is); a symbolic link itself is
    /// changed, never what it points to.
    public static func changeGroup(ofLink path: String, to groupID: UInt32) throws(SystemCallError) {
        try SystemCall.run("lchown", path: path) { Int(lchown(path, uid_t.max, gid_t(groupID))) }
    }

    /// fsync(2) of a directory: makes a rename, link or unlink in it survive a power failure (the
    /// file's own fsync covers its data, not its name).
    public static func syncDirectory(_ path: String) throws(SystemCallError) {
        let directory = try FileDescriptor.open(path, .readOnly, options: .directory)
        defer { directory.close() }
        try directory.sync()
    }
}
