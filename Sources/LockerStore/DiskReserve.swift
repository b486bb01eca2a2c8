import LockerSystem

/// Disk space kept back for the commits that must never be refused: a file of real, allocated
/// blocks (`lockerd.reserve` in the state directory) that is removed when a commit fails because
/// the disk is full, so that the commit can be tried once more and go through. SQLite has no
/// reserve of its own, and a full disk is usually someone else's doing (logs, a core dump), so
/// without this a pickup at 100 % disk would be refused while its door stays shut.
///
/// While the reserve is released the cabinet takes no deposits (each parcel taken in means more
/// records to come); pickups, retrievals and alarms use the freed space. It is made again once the
/// disk has room for it and as much again besides.
///
/// Power failure at each step:
/// - creating: the blocks are allocated and synced under `lockerd.reserve.tmp`, then renamed to
///   `lockerd.reserve` and the directory synced. Cut before the rename, a `.tmp` is left, which the
///   next creation removes first; cut after, the reserve is whole. The name `lockerd.reserve`
///   therefore only ever names a whole reserve (its allocated size is checked anyway).
/// - releasing: the file is unlinked, which frees its blocks for this running system at once; the
///   directory is not synced, so a power cut may bring the file back. Then the disk is full again at
///   the next start, and the next commit that fails releases it again: nothing is lost either way.
public final class DiskReserve {
    public let path: String
    public let bytes: Int64
    /// Whether the reserve's space is held back (false after a release, or when it could not be made).
    public private(set) var isHeld = false

    /// The reserve's file name in the state directory.
    public static let fileName = "lockerd.reserve"
    /// Enough for about a thousand pickups and alarms after the disk filled (each commit is a few
    /// pages of WAL), small beside any SD card.
    public static let defaultBytes: Int64 = 4 * 1_048_576

    public init(directory: String, bytes: Int64 = DiskReserve.defaultBytes) {
        self.path = directory + "/" + Self.fileName
        self.bytes = bytes
    }

    /// Holds the reserve: an existing whole one is kept, else a new one is made. False (and the
    /// reserve not held) when the disk has no room for it; the caller treats that as a full disk.
    @discardableResult
    public func ensure() -> Bool {
        if let status = try? FileSystemCalls.status(of: path), status.kind == .regular,
           status.size >= bytes, status.allocatedBytes >= bytes {
            isHeld = true
            return true
        }
        do {
            try create()
            isHeld = true
        } catch {
            isHeld = false
        }
        return isHeld
    }

    /// Gives the reserve's space back to the file system. True when it was held (and is now
    /// released): the caller retries its commit once.
    public func release() -> Bool {
        guard isHeld else { return false }
        isHeld = false
        FileSystemCalls.removeIfPresent(path)
        return true
    }

    private func create() throws(SystemCallError) {
        let temporary = path + ".tmp"
        FileSystemCalls.removeIfPresent(temporary)
        FileSystemCalls.removeIfPresent(path)
        let file = try FileDescriptor.open(temporary, .writeOnly, options: [.create, .exclusive, .noFollow], permissions: 0o600)
        do {
            try file.allocate(bytes)
            try file.sync()
            file.close()
        } catch {
            file.close()
            FileSystemCalls.removeIfPresent(temporary)
            throw error
        }
        try FileSystemCalls.rename(temporary, to: path)
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        try FileSystemCalls.syncDirectory(directory.isEmpty ? "." : directory)
    }
}
