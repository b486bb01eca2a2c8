import LockerDrivers
import LockerTesting
import LockerHAL
import Logging
import Testing

/// Relays start and end in their safe state; errors name the relay's chip and line.
@Suite struct GPIORelayTests {
    static let names: [String?] = ["COMPRESSOR", "HEATER"]
    var logger: Logger {
        var logger = Logger(label: "test.relay")
        logger.logLevel = .critical
        return logger
    }

    @Test func aRelayIsRequestedInItsSafeStateSwitchesAndReturnsToIt() async throws {
        let driver = ScriptedGPIOLineDriver(lineNames: Self.names)
        let compressor = try GPIORelay(name: "freezer compressor", chip: "gpiochip0", line: .name("COMPRESSOR"),
                                       safeOn: false, driver: driver, logger: logger)
        #expect(driver.isRequested(.name("COMPRESSOR")))
        #expect(driver.level(of: .name("COMPRESSOR")) == .low, "off from the first instant")
        try await compressor.set(on: true)
        #expect(driver.level(of: .name("COMPRESSOR")) == .high)
        await compressor.close()
        #expect(driver.level(of: .name("COMPRESSOR")) == .low, "back to safe on close")
        #expect(!driver.isRequested(.name("COMPRESSOR")), "line given back")
        await #expect(throws: HardwareError.self) { try await compressor.set(on: true) }
    }

    @Test func anActiveLowRelayWhoseSafeStateIsOnIsDrivenLow() async throws {
        let driver = ScriptedGPIOLineDriver(lineNames: Self.names)
        let heater = try GPIORelay(name: "heater", chip: "gpiochip0", line: .name("HEATER"), activeLow: true, safeOn: true,
                                   driver: driver, logger: logger)
        #expect(driver.level(of: .name("HEATER")) == .low, "active-low: on is a low level")
        try await heater.set(on: false)
        #expect(driver.level(of: .name("HEATER")) == .high)
        await heater.setSafeState()
        #expect(driver.level(of: .name("HEATER")) == .low)
        await heater.close()
    }

    @Test func aBusyLineIsAClearError() throws {
        let driver = ScriptedGPIOLineDriver(lineNames: Self.names)
        driver.holdLine(.name("COMPRESSOR"), by: "another-daemon")
        #expect(throws: HardwareError.self) {
            _ = try GPIORelay(name: "compressor", chip: "gpiochip0", line: .name("COMPRESSOR"), driver: driver, logger: logger)
        }
    }
}
