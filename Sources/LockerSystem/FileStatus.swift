#if canImport(Glibc)
import Glibc
#endif

/// What stat(2) or lstat(2) says about a path: the parts lockerd decides on (what kind of file it
/// is, who owns it, who may write it, and which file it is, to notice one replaced by another).
public struct FileStatus: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case regular, directory, fifo, socket, symbolicLink, characterDevice, blockDevice, other
    }

    public let kind: Kind
    /// The permission bits with set-id and sticky (`st_mode & 0o7777`).
    public let permissions: UInt32
    public let ownerID: UInt32
    public let groupID: UInt32
    /// The device and inode together name one file: a file made anew at the same path differs.
    public let device: UInt64
    public let inode: UInt64
    public let size: Int64
    /// The disk space the file really holds (`st_blocks` × 512): less than `size` for a sparse
    /// file, which is how a reserve that was never allocated is told from one that was.
    public let allocatedBytes: Int64

    init(_ status: stat) {
        kind = switch status.st_mode & S_IFMT {
        case S_IFREG: .regular
        case S_IFDIR: .directory
        case S_IFIFO: .fifo
        case S_IFSOCK: .socket
        case S_IFLNK: .symbolicLink
        case S_IFCHR: .characterDevice
        case S_IFBLK: .blockDevice
        default: .other
        }
        permissions = UInt32(status.st_mode & 0o7777)
        ownerID = status.st_uid
        groupID = status.st_gid
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        allocatedBytes = Int64(status.st_blocks) * 512
    }
}
