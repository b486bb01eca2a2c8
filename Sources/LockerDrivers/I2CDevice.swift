/// One device on an I2C bus, written to as a whole: each `write` is one bus transfer to the
/// device's address. `LinuxI2CDevice` talks to the kernel's i2c-dev; tests record the bytes.
public protocol I2CDevice: Sendable {
    /// Sends `bytes` in one transfer; throws a `HardwareError` naming the bus and the address.
    func write(_ bytes: [UInt8]) throws
}
