/// How to open a serial line (a USB–RS-485 adapter, a UART, or a pseudo-terminal in tests).
/// A value: creating it does no I/O.
public struct SerialPortConfiguration: Sendable, Equatable, Codable {
    public enum Parity: String, Sendable, Codable { case none, even, odd }

    public var path: String
    public var baud: Int
    public var parity: Parity
    /// Ask the kernel to drive the RS-485 transmitter (TIOCSRS485). Adapters that switch direction
    /// by themselves (most USB ones) do not support it; the port then works without it.
    public var kernelRS485: Bool

    public init(path: String, baud: Int = 19_200, parity: Parity = .none, kernelRS485: Bool = false) {
        self.path = path
        self.baud = baud
        self.parity = parity
        self.kernelRS485 = kernelRS485
    }

    public var isStandardSpeed: Bool { speed != nil }

    /// The termios speed constant for `baud`, nil when the rate is not a standard one.
    var speed: UInt32? { SerialLineSettings.speed(forBaud: baud) }
}

import LockerSystem
