import Foundation
public import LockerHAL

/// One half-duplex RS-485 bus: exactly one request/reply transaction at a time, a quiet gap
/// between transactions, a timeout per attempt and a bounded number of retries. Several boards
/// (of different families) may share it. An adapter that disappears is reopened on the next
/// transaction, so a replugged adapter is used again without restarting the daemon.
public actor SerialBus {
    public struct Timing: Sendable, Equatable {
        public var replyTimeoutMilliseconds: Int
        public var retries: Int
        public var interFrameGapMilliseconds: Int

        public init(replyTimeoutMilliseconds: Int = 200, retries: Int = 2, interFrameGapMilliseconds: Int = 5) {
            self.replyTimeoutMilliseconds = replyTimeoutMilliseconds
            self.retries = retries
            self.interFrameGapMilliseconds = interFrameGapMilliseconds
        }
    }

    public let endpoint: LinkEndpoint
    public let timing: Timing
    private var port: (any ByteLink)?
    private var received: [UInt8] = []
    /// Bytes that belonged to no expected reply (noise, late replies), for diagnostics.
    public private(set) var discardedBytes = 0

    public init(_ configuration: SerialPortConfiguration, timing: Timing = Timing()) {
        self.endpoint = .serial(configuration)
        self.timing = timing
    }

    public init(endpoint: LinkEndpoint, timing: Timing = Timing()) {
        self.endpoint = endpoint
        self.timing = timing
    }

    /// Sends `request` and collects bytes until `reply` recognises an answer (it consumes from the
    /// front of the buffer and returns nil until complete). Retries the same request bytes on
    /// timeout: protocols whose retries must be idempotent put a sequence number in the request.
    public func transact<Reply: Sendable>(
        _ request: [UInt8], device: String,
        reply: @Sendable (inout [UInt8]) -> Reply?
    ) throws -> Reply {
        var lastError: HardwareError = .boardNotAnswering(board: -1, detail: "\(device): no reply")
        for _ in 0...timing.retries {
            do {
                let port = try openPort()
                discardedBytes += received.count
                received.removeAll()
                try port.write(request)
                let deadline = ContinuousClock.now + .milliseconds(timing.replyTimeoutMilliseconds)
                while ContinuousClock.now < deadline {
                    let left = deadline - ContinuousClock.now
                    let milliseconds = max(1, Int(left / .milliseconds(1)))
                    received += try port.read(timeoutMilliseconds: milliseconds, maximum: 512)
                    if let answer = reply(&received) {
                        quietGap()
                        return answer
                    }
                }
                lastError = .boardNotAnswering(board: -1, detail: "\(device): no reply within \(timing.replyTimeoutMilliseconds) ms")
            } catch let error as HardwareError {
                if case .deviceMissing = error { closePort() }
                lastError = error
            }
            quietGap()
        }
        throw lastError
    }

    public func close() {
        closePort()
    }

    private func openPort() throws -> any ByteLink {
        if let port { return port }
        let opened: any ByteLink
        switch endpoint {
        case .serial(let configuration): opened = try SerialPort(configuration)
        case .tcp(let host, let port): opened = try TCPByteLink(host: host, port: port)
        }
        port = opened
        return opened
    }

    private func closePort() {
        port?.close()
        port = nil
    }

    private func quietGap() {
        // A few milliseconds of silence so the next board can tell frames apart. Blocking is
        // deliberate: nothing else may use the bus meanwhile.
        usleep(useconds_t(timing.interFrameGapMilliseconds * 1_000))
    }
}
