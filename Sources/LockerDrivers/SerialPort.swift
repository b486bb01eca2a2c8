public import LockerHAL
import LockerSystem

/// An open serial line in raw mode: bytes in, bytes out, nothing interpreted.
///
/// Raw 8-bit mode with the configured speed and parity, exclusive (`TIOCEXCL`: a second process
/// cannot open the adapter and garble the bus), non-blocking with `poll` for timeouts. An adapter
/// that is unplugged shows up as EIO or a hang-up: reads then throw `HardwareError.deviceMissing`
/// and the owner reopens the port when the device is back. The system calls themselves are
/// `LockerSystem`'s (`FileDescriptor`, `SerialLineSettings`).
public final class SerialPort: ByteLink, @unchecked Sendable {
    // Unchecked: `file` is set once in init and closed once in `close()`; the bus that owns the port
    // serialises every read and write (one transaction at a time on a half-duplex line).
    public let configuration: SerialPortConfiguration
    private var file: FileDescriptor?

    public init(_ configuration: SerialPortConfiguration) throws {
        self.configuration = configuration
        let path = configuration.path
        guard let speed = configuration.speed else {
            throw HardwareError.io(device: path, operation: "configure", detail: "\(configuration.baud) baud is not a standard rate")
        }
        let file = try hardwareCall { () throws(SystemCallError) in
            try FileDescriptor.open(path, .readWrite, options: [.noControllingTerminal, .nonBlocking])
        }
        do {
            try hardwareCall { () throws(SystemCallError) in try SerialLineSettings.claimExclusiveAccess(file) }
            // TIOCEXCL does not stop a privileged process; an advisory lock also keeps a second
            // lockerd (or a tool that honours locks) off the bus, whoever runs it.
            do {
                guard try SerialLineSettings.lockAdvisory(file) else {
                    throw HardwareError.io(device: path, operation: "lock the line", detail: "another process is using it")
                }
            } catch let failure as SystemCallError {
                throw HardwareError.io(device: path, operation: "lock the line", detail: failure.message)
            }
            let parity: SerialLineSettings.Parity = switch configuration.parity {
            case .none: .none
            case .even: .even
            case .odd: .odd
            }
            try hardwareCall { () throws(SystemCallError) in try SerialLineSettings.makeRaw(file, speed: speed, parity: parity) }
            // Where the adapter supports it: most USB adapters switch direction by themselves and
            // answer ENOTTY or EINVAL, which is fine; any other error is a real failure.
            if configuration.kernelRS485 {
                _ = try hardwareCall { () throws(SystemCallError) in try SerialLineSettings.enableKernelRS485(file) }
            }
            SerialLineSettings.flush(file)
        } catch {
            file.close()
            throw error
        }
        self.file = file
    }

    deinit { close() }

    public func close() {
        file?.close()
        file = nil
    }

    public func write(_ bytes: [UInt8]) throws {
        let path = configuration.path
        var offset = 0
        while offset < bytes.count {
            guard let file else { throw HardwareError.deviceMissing(device: path, detail: "port is closed") }
            let written: Int?
            do {
                written = try file.writeOnce(bytes[offset...])
            } catch {
                throw Self.unplugged(error)
            }
            guard let written else {
                // A line that will not take bytes for a second is as good as gone.
                guard try wait(for: .writable, milliseconds: 1_000, operation: "write") else {
                    throw HardwareError.deviceMissing(device: path, detail: "the line accepted no data for 1 s")
                }
                continue
            }
            offset += written
        }
    }

    /// Reads what is available, waiting at most `milliseconds` for the first byte. Returns [] on
    /// timeout; throws when the adapter is gone.
    public func read(timeoutMilliseconds milliseconds: Int, maximum: Int = 512) throws -> [UInt8] {
        guard try wait(for: .readable, milliseconds: milliseconds, operation: "read") else { return [] }
        return try readReady(maximum: maximum)
    }

    /// Reads what is available, waiting with no timeout for the first byte or for `stop` (then
    /// returns []): a reader thread that sleeps until a scanner sends something.
    func read(until stop: ReaderStop, maximum: Int = 512) throws -> [UInt8] {
        let path = configuration.path
        guard let file else { throw HardwareError.deviceMissing(device: path, detail: "port is closed") }
        let seen = try hardwareCall { () throws(SystemCallError) in
            try FileDescriptor.poll([file, stop.signal], for: .readable, milliseconds: -1, call: "read")
        }
        if seen[0].isEmpty { return [] }
        if !seen[0].isDisjoint(with: [.hangUp, .error, .invalid]) && !seen[0].contains(.readable) {
            throw HardwareError.deviceMissing(device: path, detail: "the line hung up (adapter unplugged?)")
        }
        return try readReady(maximum: maximum)
    }

    private func readReady(maximum: Int) throws -> [UInt8] {
        let path = configuration.path
        guard let file else { throw HardwareError.deviceMissing(device: path, detail: "port is closed") }
        let result: FileDescriptor.ReadResult
        do {
            result = try file.read(maximum: maximum)
        } catch {
            throw Self.unplugged(error)
        }
        switch result {
        case .bytes(let bytes): return bytes
        case .endOfFile: throw HardwareError.deviceMissing(device: path, detail: "the line hung up (adapter unplugged?)")
        case .wouldBlock: return []
        }
    }

    /// EIO on a tty is how an unplugged USB adapter reads: reported as a missing device.
    private static func unplugged(_ failure: SystemCallError) -> HardwareError {
        let code = failure.isInputOutputError ? SystemErrno.noSuchDevice : failure.code
        return HardwareError(SystemCallError(call: failure.call, path: failure.path, code: code))
    }

    @discardableResult
    private func wait(for events: FileDescriptor.PollEvents, milliseconds: Int, operation: String) throws -> Bool {
        guard let file else { throw HardwareError.deviceMissing(device: configuration.path, detail: "port is closed") }
        let seen = try hardwareCall { () throws(SystemCallError) in try file.poll(for: events, milliseconds: milliseconds, call: operation) }
        if seen.isEmpty { return false }
        if !seen.isDisjoint(with: [.hangUp, .error, .invalid]) && seen.isDisjoint(with: events) {
            throw HardwareError.deviceMissing(device: configuration.path, detail: "the line hung up (adapter unplugged?)")
        }
        return true
    }
}
