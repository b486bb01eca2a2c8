import Foundation
import LockerDrivers
import LockerHAL
import Testing

/// Opening an I2C device: a missing bus and a file that is not a bus are told apart, by name.
@Suite struct LinuxI2CDeviceTests {
    @Test func aBusThatDoesNotExistIsAMissingDeviceNamingIt() throws {
        let error = try #require(throws: HardwareError.self) { try LinuxI2CDevice(bus: 250, address: 0x27) }
        guard case .deviceMissing(let device, let detail) = error else {
            Issue.record("expected deviceMissing, got \(error)")
            return
        }
        #expect(device == "I2C device 0x27 on /dev/i2c-250")
        #expect(detail.contains("ENOENT"))
    }

    @Test func aFileThatIsNotABusFailsToSelectTheAddress() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-an-i2c-bus-\(UUID().uuidString)").path
        try Data([0]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: HardwareError.self) { try LinuxI2CDevice(path: path, address: 0x3F) }
        guard case .io(let device, let operation, let detail) = error else {
            Issue.record("expected an I/O error, got \(error)")
            return
        }
        #expect(device == "I2C device 0x3F on \(path)")
        #expect(operation == "selecting address 0x3F (I2C_SLAVE)")
        #expect(detail.contains("ENOTTY") && detail.contains("not an i2c-dev bus"), "\(detail)")
    }

    @Test func aReservedAddressIsRefusedBeforeOpening() throws {
        let error = try #require(throws: HardwareError.self) { try LinuxI2CDevice(bus: 250, address: 0x78) }
        #expect("\(error)".contains("0x78 is not a 7-bit device address"))
    }
}
