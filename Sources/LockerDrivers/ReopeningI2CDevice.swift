import Synchronization

/// An I2C device opened on first use and again after a failed write: a bus that is missing at
/// start (an i2c overlay not yet loaded, a display cable not yet plugged) then does not leave the
/// cabinet without a display for the rest of the day. Each write that cannot open the bus
/// throws the opening error, which the display logs once per failure streak.
public final class ReopeningI2CDevice: I2CDevice {
    public let path: String
    public let address: UInt8
    private let open: @Sendable (String, UInt8) throws -> any I2CDevice
    private let current = Mutex<(any I2CDevice)?>(nil)

    public init(path: String, address: UInt8,
                open: @escaping @Sendable (String, UInt8) throws -> any I2CDevice = { try LinuxI2CDevice(path: $0, address: $1) }) {
        self.path = path
        self.address = address
        self.open = open
    }

    public func write(_ bytes: [UInt8]) throws {
        try current.withLock { current in
            let device = try current ?? open(path, address)
            current = device
            do {
                try device.write(bytes)
            } catch {
                current = nil
                throw error
            }
        }
    }
}
