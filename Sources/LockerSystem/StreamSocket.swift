#if canImport(Glibc)
import Glibc
#endif

/// A connected stream socket, client side: a Unix socket (lockerctl to the maintenance socket) or
/// TCP (a bus unit on the network). A value like `FileDescriptor`: whoever connected it closes it
/// once. Always close-on-exec; sends never raise SIGPIPE (a peer that went away is EPIPE).
public struct StreamSocket: Sendable, Hashable {
    public let descriptor: FileDescriptor

    /// The socket path or `tcp://host:port`, which every error names.
    public var address: String { descriptor.path }

    /// How many bytes a Unix socket path may have (`sun_path` less its terminating NUL).
    public static var unixPathCapacity: Int { UnixDatagram.pathCapacity - 1 }

    /// Connects a blocking stream socket to the Unix socket at `path`. An empty path, one with a
    /// NUL byte (which would name an abstract socket or another file) or one longer than
    /// `unixPathCapacity` is refused with EINVAL or ENAMETOOLONG before any call.
    public static func connect(unixPath path: String) throws(SystemCallError) -> StreamSocket {
        let pathBytes = Array(path.utf8)
        guard !pathBytes.isEmpty, !pathBytes.contains(0) else { throw SystemCallError(call: "connect", path: path, code: EINVAL) }
        guard pathBytes.count <= unixPathCapacity else { throw SystemCallError(call: "connect", path: path, code: ENAMETOOLONG) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }

        let raw = try SystemCall.run("socket", path: path) { Int(socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)) }
        let stream = StreamSocket(descriptor: FileDescriptor(rawValue: Int32(raw), path: path))
        do {
            try SystemCall.run("connect", path: path) {
                withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        Int(Glibc.connect(stream.descriptor.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size)))
                    }
                }
            }
        } catch {
            stream.close()
            throw error
        }
        return stream
    }

    /// Connects a non-blocking TCP socket to the first address `host` resolves to, waiting at
    /// most `timeoutMilliseconds` for the peer to accept. The socket stays non-blocking: reads and
    /// writes that would wait return nil, and the caller polls.
    public static func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TCPConnectError) -> StreamSocket {
        let name = "tcp://\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &found)
        guard status == 0, let first = found else {
            throw .unresolved(host: host, port: port, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(found) }
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let raw = socket(first.pointee.ai_family, type, 0)
        guard raw >= 0 else { throw .failed(SystemCallError.last(call: "socket", path: name), whileWaiting: false) }
        let stream = StreamSocket(descriptor: FileDescriptor(rawValue: raw, path: name))
        // A non-blocking connect is not retried on EINTR: it carries on in the kernel, and a
        // second call would say EALREADY. It is waited for with poll below instead.
        if Glibc.connect(raw, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 { return stream }
        let code = errno
        guard code == EINPROGRESS || code == EINTR else {
            stream.close()
            throw .failed(SystemCallError(call: "connect", path: name, code: code), whileWaiting: false)
        }
        let seen: FileDescriptor.PollEvents
        do {
            seen = try stream.descriptor.poll(for: .writable, milliseconds: timeoutMilliseconds)
        } catch {
            stream.close()
            throw .failed(error, whileWaiting: true)
        }
        guard !seen.isEmpty else {
            stream.close()
            throw .timedOut(address: name, milliseconds: timeoutMilliseconds)
        }
        let pending = stream.pendingError()
        guard pending == 0 else {
            stream.close()
            throw .failed(SystemCallError(call: "connect", path: name, code: pending), whileWaiting: true)
        }
        return stream
    }

    public func close() {
        descriptor.close()
    }

    /// SO_ERROR: the error a non-blocking connect ended with (0 when it succeeded). Reading it
    /// clears it.
    public func pendingError() -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor.rawValue, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return errno }
        return error
    }

    /// SO_RCVTIMEO and SO_SNDTIMEO: a blocking receive or send that waits longer fails with EAGAIN.
    /// Nil (or zero) waits for ever, which is what a zero timeval means to the kernel.
    public func setTimeouts(_ timeout: Duration?) throws(SystemCallError) {
        var value = timeval()
        if let timeout, timeout > .zero {
            let (seconds, attoseconds) = timeout.components
            value.tv_sec = numericCast(seconds)
            value.tv_usec = numericCast(attoseconds / 1_000_000_000_000)
        }
        for (option, call) in [(SO_RCVTIMEO, "set the receive timeout (SO_RCVTIMEO)"), (SO_SNDTIMEO, "set the send timeout (SO_SNDTIMEO)")] {
            try SystemCall.run(call, path: address) {
                Int(setsockopt(descriptor.rawValue, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size)))
            }
        }
    }

    /// One send(2) with MSG_NOSIGNAL, retried on EINTR: how many bytes went, or nil when it would
    /// block (a non-blocking socket, or the send timeout passed). EPIPE and ECONNRESET are thrown.
    public func send(_ bytes: ArraySlice<UInt8>, call: String = "send") throws(SystemCallError) -> Int? {
        while true {
            let sent = bytes.withUnsafeBytes { Glibc.send(descriptor.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent >= 0 { return sent }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw SystemCallError(call: call, path: address, code: code)
        }
    }

    /// One recv(2) into `buffer` (up to its count), retried on EINTR: the number of bytes, 0 at
    /// the end of the stream, nil when it would block (non-blocking, or the receive timeout
    /// passed). ECONNRESET is thrown: whether a reset is an end is the caller's decision.
    public func receive(into buffer: inout [UInt8], call: String = "recv") throws(SystemCallError) -> Int? {
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.recv(descriptor.rawValue, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return count }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw SystemCallError(call: call, path: address, code: code)
        }
    }
}
