/// The kernel's `struct ucred` (pid, uid, gid), as `SO_PEERCRED` returns it on Linux. Declared
/// here because Glibc only exposes `ucred` with `_GNU_SOURCE`; the layout is fixed by the ABI
/// (three 32-bit fields).
struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = .max
    var gid: UInt32 = .max

    /// `SO_PEERCRED` (asm-generic/socket.h; the same on x86-64, arm64 and armhf).
    static let socketOption: Int32 = 17
}
