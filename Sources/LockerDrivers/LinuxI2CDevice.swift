import LockerHAL
import LockerSystem
import Synchronization

/// A device on a Linux I2C bus through i2c-dev (`/dev/i2c-N`): the bus is opened once and the
/// device's 7-bit address selected with I2C_SLAVE, so every `write` goes to that device.
///
/// Errors name the bus and the address, which is what a technician checks with `i2cdetect`.
public final class LinuxI2CDevice: I2CDevice, CustomStringConvertible {
    public let path: String
    public let address: UInt8
    /// Nil once closed. Under the lock for the length of a write, so `close` cannot pull the
    /// descriptor from under it.
    private let descriptor: Mutex<FileDescriptor?>

    /// The device at `address` on bus `bus` (`/dev/i2c-<bus>`).
    public convenience init(bus: Int, address: UInt8) throws {
        try self.init(path: "/dev/i2c-\(bus)", address: address)
    }

    public init(path: String, address: UInt8) throws {
        self.path = path
        self.address = address
        let device = Self.describe(path: path, address: address)
        // 0x00...0x02 and 0x78...0x7F are reserved by the I2C specification.
        guard (0x03...0x77).contains(address) else {
            throw HardwareError.io(device: device, operation: "selecting the address",
                                   detail: "\(Self.hex(address)) is not a 7-bit device address (0x03...0x77)")
        }
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(path, .readWrite)
        } catch {
            throw Self.openingError(device: device, path: path, errno: error.code)
        }
        do {
            try I2CCalls.selectAddress(address, on: file)
        } catch {
            file.close()
            throw Self.addressingError(device: device, address: address, errno: error.code)
        }
        descriptor = Mutex(file)
    }

    deinit { close() }

    /// Gives the bus back. Idempotent; writes after it throw.
    public func close() {
        descriptor.withLock { file in
            file?.close()
            file = nil
        }
    }

    public var description: String { Self.describe(path: path, address: address) }

    public func write(_ bytes: [UInt8]) throws {
        try descriptor.withLock { file in
            guard let file else {
                throw HardwareError.io(device: description, operation: "writing", detail: "the device was closed")
            }
            let written: Int?
            do throws(SystemCallError) {
                // One write(2), EINTR retried: i2c-dev sends it as one transfer.
                written = try file.writeOnce(bytes[...])
            } catch {
                throw writingError(bytes.count, errno: error.code)
            }
            if written == bytes.count { return }
            // A partial count means the transfer broke off (the bus is blocking: never nil).
            throw HardwareError.io(device: description, operation: "writing \(bytes.count) bytes",
                                   detail: "only \(written ?? 0) were sent")
        }
    }

    private func writingError(_ count: Int, errno code: Int32) -> HardwareError {
        switch code {
        case SystemErrno.noSuchDeviceOrAddress, SystemErrno.remoteInputOutput:
            // The controller drivers report a missing acknowledgement as one or the other.
            var detail = "writing: \(GPIOHardwareErrors.errnoText(code)); nothing acknowledged address \(Self.hex(address))"
                + " (unplugged or unpowered, or at another address?)"
            if let bus = busNumber { detail += "; `i2cdetect -y \(bus)` lists the addresses that answer" }
            return .deviceMissing(device: description, detail: detail)
        default:
            return .io(device: description, operation: "writing \(count) bytes", detail: GPIOHardwareErrors.errnoText(code))
        }
    }

    private var busNumber: Int? {
        guard path.hasPrefix("/dev/i2c-") else { return nil }
        return Int(path.dropFirst("/dev/i2c-".count))
    }

    private static func openingError(device: String, path: String, errno code: Int32) -> HardwareError {
        let text = GPIOHardwareErrors.errnoText(code)
        switch code {
        case SystemErrno.noSuchFile, SystemErrno.noSuchDevice, SystemErrno.noSuchDeviceOrAddress:
            return .deviceMissing(device: device, detail: "opening \(path): \(text); is the bus enabled and the i2c-dev module"
                + " loaded? `i2cdetect -l` lists the buses this machine has")
        case SystemErrno.permissionDenied, SystemErrno.notPermitted:
            return .io(device: device, operation: "opening \(path)",
                       detail: "\(text); the service user needs read and write access to the bus (usually the i2c group)")
        default:
            return .io(device: device, operation: "opening \(path)", detail: text)
        }
    }

    private static func addressingError(device: String, address: UInt8, errno code: Int32) -> HardwareError {
        var detail = GPIOHardwareErrors.errnoText(code)
        switch code {
        case SystemErrno.busy: detail += "; a kernel driver has claimed address \(hex(address))"
        case SystemErrno.notATerminal, SystemErrno.invalidArgument: detail += "; the file is not an i2c-dev bus"
        default: break
        }
        return .io(device: device, operation: "selecting address \(hex(address)) (I2C_SLAVE)", detail: detail)
    }

    private static func describe(path: String, address: UInt8) -> String {
        "I2C device \(hex(address)) on \(path)"
    }

    static func hex(_ address: UInt8) -> String {
        let digits = String(address, radix: 16, uppercase: true)
        return "0x" + (digits.count < 2 ? "0" + digits : digits)
    }
}
