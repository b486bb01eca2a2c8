/// A byte stream to one bus: a serial line (`SerialPort`) or a TCP connection to a bus unit that
/// bridges the same frames (`TCPByteLink`, e.g. Kerong's KR-BU).
public protocol ByteLink: AnyObject, Sendable {
    func write(_ bytes: [UInt8]) throws
    /// What is available, waiting at most `milliseconds` for the first byte; [] on timeout.
    /// Throws `HardwareError.deviceMissing` when the link is gone.
    func read(timeoutMilliseconds: Int, maximum: Int) throws -> [UInt8]
    func close()
}

/// Where a bus is: a serial device, or `tcp://HOST:PORT`.
public enum LinkEndpoint: Sendable, Equatable, CustomStringConvertible {
    case serial(SerialPortConfiguration)
    case tcp(host: String, port: Int)

    /// `device` as written in the configuration: a path, or `tcp://HOST:PORT`.
    public init(device: String, baud: Int, parity: SerialPortConfiguration.Parity = .none, kernelRS485: Bool = false) {
        if device.hasPrefix("tcp://") {
            let rest = device.dropFirst("tcp://".count)
            if let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]) {
                self = .tcp(host: String(rest[..<colon]), port: port)
                return
            }
            self = .tcp(host: String(rest), port: 5_000)  // the port public drivers use for the KR-BU
            return
        }
        self = .serial(SerialPortConfiguration(path: device, baud: baud, parity: parity, kernelRS485: kernelRS485))
    }

    public var description: String {
        switch self {
        case .serial(let configuration): configuration.path
        case .tcp(let host, let port): "tcp://\(host):\(port)"
        }
    }
}
