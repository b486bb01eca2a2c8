#if canImport(Glibc)
import Glibc
#endif

extension FileDescriptor {
    /// poll(2) on several descriptors at once, retried on EINTR with the full timeout again (an
    /// early return would claim a quiet period that did not happen). Returns the events each
    /// descriptor saw, in the order given: all empty on a timeout. A failure names every path.
    public static func poll(
        _ descriptors: [FileDescriptor], for events: PollEvents, milliseconds: Int, call: String = "poll"
    ) throws(SystemCallError) -> [PollEvents] {
        var entries = descriptors.map { pollfd(fd: $0.rawValue, events: events.rawValue, revents: 0) }
        while true {
            let ready = Glibc.poll(&entries, nfds_t(entries.count), Int32(clamping: milliseconds))
            if ready >= 0 { return entries.map { PollEvents(rawValue: $0.revents) } }
            let code = errno
            if code == EINTR { continue }
            throw SystemCallError(call: call, path: descriptors.map(\.path).joined(separator: ", "), code: code)
        }
    }
}
