public import LockerHAL
public import Logging

/// A relay on one GPIO output line (through a relay board or MOSFET, never directly).
///
/// The line is requested in the relay's safe state from the first instant, so a daemon that
/// starts (or restarts after a crash) never switches a compressor on by accident; `close` returns
/// it to the safe state and releases the line. Lines lose their state when the process exits:
/// wire the relay so that an undriven line is the safe state.
public actor GPIORelay: Relay {
    public nonisolated let name: String
    public let safeOn: Bool
    private let driver: any GPIOLineDriver
    private let chip: GPIOChipHandle
    private let line: GPIOLineHandle
    private let logger: Logger
    private var isOpen = true

    public init(name: String, chip chipName: String, line address: GPIOLineAddress, activeLow: Bool = false, safeOn: Bool = false,
                driver: any GPIOLineDriver = LibgpiodV1LineDriver(), logger: Logger) throws {
        self.name = name
        self.safeOn = safeOn
        self.driver = driver
        self.logger = logger
        let chip = try driver.openChip(chipName)
        do {
            let line = try driver.findLine(address, on: chip)
            try driver.requestOutput(line, activeLow: activeLow, initiallyActive: safeOn, consumer: "lockerd relay \(name)")
            self.line = line
        } catch {
            driver.closeChip(chip)
            throw error
        }
        self.chip = chip
    }

    public func set(on: Bool) async throws {
        guard isOpen else {
            throw HardwareError.io(device: "relay \(name)", operation: "switch \(on ? "on" : "off")", detail: "the relay was closed")
        }
        try driver.setValue(on, of: line)
    }

    public func setSafeState() async {
        guard isOpen else { return }
        do {
            try driver.setValue(safeOn, of: line)
        } catch {
            logger.critical("relay could not be put in its safe state", metadata: ["relay": "\(name)", "error": "\(error)"])
        }
    }

    /// Safe state, then the line and chip are given back. Idempotent.
    public func close() async {
        guard isOpen else { return }
        await setSafeState()
        isOpen = false
        driver.release(line)
        driver.closeChip(chip)
    }
}
