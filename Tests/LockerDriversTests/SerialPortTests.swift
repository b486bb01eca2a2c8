import LockerDrivers
import LockerHAL
import Testing
import LockerSystem

/// The serial line itself, on a pseudo-terminal.
@Suite struct SerialPortTests {
    @Test func bytesPassUnchangedBothWays() throws {
        let terminal = try PseudoTerminal()
        let port = try SerialPort(.init(path: terminal.subordinatePath, baud: 9_600, parity: .even))
        let all = (0...255).map(UInt8.init)
        try port.write(all)
        var seen: [UInt8] = []
        while seen.count < all.count {
            let chunk = terminal.read(timeoutMilliseconds: 500)
            if chunk.isEmpty { break }
            seen += chunk
        }
        #expect(seen == all, "raw mode: no byte translated or swallowed")
        terminal.write([0x00, 0x0A, 0x0D, 0x03])
        #expect(try port.read(timeoutMilliseconds: 500) == [0x00, 0x0A, 0x0D, 0x03])
        #expect(try port.read(timeoutMilliseconds: 20) == [], "a timeout is an empty read, not an error")
    }

    @Test func rs485DirectionControlIsUsedWhereSupportedAndSkippedElsewhere() throws {
        // A pseudo-terminal has no RS-485 support (ENOTTY): the port still opens.
        let terminal = try PseudoTerminal()
        let port = try SerialPort(.init(path: terminal.subordinatePath, baud: 19_200, kernelRS485: true))
        try port.write([0x02])
        #expect(terminal.read(timeoutMilliseconds: 500) == [0x02])
    }

    @Test func aSecondOpenOfTheSameLineIsRefused() throws {
        let terminal = try PseudoTerminal()
        let first = try SerialPort(.init(path: terminal.subordinatePath))
        #expect(throws: HardwareError.self) { _ = try SerialPort(.init(path: terminal.subordinatePath)) }
        first.close()
    }

    @Test func missingDevicesAndOddSpeedsAreNamed() {
        #expect(throws: HardwareError.deviceMissing(device: "/dev/locker/nothing-here", detail: "open: No such file or directory")) {
            _ = try SerialPort(.init(path: "/dev/locker/nothing-here"))
        }
        #expect(throws: HardwareError.self) { _ = try SerialPort(.init(path: "/dev/null", baud: 12_345)) }
    }

    @Test func aVanishedLineReadsAsMissing() throws {
        var terminal: PseudoTerminal? = try PseudoTerminal()
        let port = try SerialPort(.init(path: terminal!.subordinatePath))
        terminal = nil  // the adapter is unplugged: its other side closes
        #expect(throws: HardwareError.self) { _ = try port.read(timeoutMilliseconds: 200) }
    }
}
