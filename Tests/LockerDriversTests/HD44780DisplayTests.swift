import Dispatch
import LockerDrivers
import LockerHAL
import Logging
import Synchronization
import Testing

/// The LCD driver against a recording I2C device: the exact expander bytes of the 4-bit protocol,
/// the layout of messages on the rows, recovery after a lost display, and a `show` that never
/// waits for the bus.
@Suite struct HD44780DisplayTests {
    /// What the display did, in order: expander writes and the waits it asked for.
    enum Event: Equatable {
        case write([UInt8])
        case pause(Duration)
    }

    /// Records each transfer; fails the ones a test asks to fail, as a display that is gone would;
    /// holds writes while a test asks, as a bus that times out would.
    final class RecordingI2CDevice: I2CDevice {
        private let state = Mutex<(events: [Event], failuresLeft: Int, failAfter: Int?, isHolding: Bool, heldWrites: Int)>(
            ([], 0, nil, false, 0))
        private let release = DispatchSemaphore(value: 0)

        /// How many writes are waiting for `releaseWrites` now.
        var heldWrites: Int { state.withLock { $0.heldWrites } }

        /// Every write from now on waits until `releaseWrites` (at most 5 s: a broken test fails, it never hangs).
        func holdWrites() { state.withLock { $0.isHolding = true } }

        func releaseWrites() {
            let held = state.withLock { state in
                state.isHolding = false
                return state.heldWrites
            }
            for _ in 0..<held { release.signal() }
        }

        var events: [Event] { state.withLock { $0.events } }
        var writes: [[UInt8]] {
            events.compactMap { if case .write(let bytes) = $0 { return bytes } else { return nil } }
        }

        func record(_ event: Event) { state.withLock { $0.events.append(event) } }
        func forget() { state.withLock { $0.events = [] } }

        /// The next `count` writes fail, after `successes` more have gone through.
        func failWrites(_ count: Int, after successes: Int = 0) {
            state.withLock {
                $0.failuresLeft = count
                $0.failAfter = successes
            }
        }

        func write(_ bytes: [UInt8]) throws {
            let mustWait = state.withLock { state in
                if state.isHolding { state.heldWrites += 1 }
                return state.isHolding
            }
            if mustWait {
                _ = release.wait(timeout: .now() + .seconds(60))
                state.withLock { $0.heldWrites -= 1 }
            }
            try state.withLock { state in
                if let after = state.failAfter, state.failuresLeft > 0 {
                    if after == 0 {
                        state.failuresLeft -= 1
                        throw HardwareError.deviceMissing(device: "I2C device 0x27 on /dev/i2c-1", detail: "no acknowledgement")
                    }
                    state.failAfter = after - 1
                }
                state.events.append(.write(bytes))
            }
        }
    }

    /// Waits (at most `limit`) until the display has written everything shown; false if it has not.
    static func untilIdle(_ display: HD44780Display, within limit: Duration = .seconds(60)) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await display.untilIdle()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Polls `condition` every millisecond for at most `limit`; whether it came true.
    static func eventually(within limit: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "test.lcd")
        logger.logLevel = .critical
        return logger
    }

    static func display(_ device: RecordingI2CDevice, geometry: HD44780Commands.Geometry = .sixteenByTwo,
                        logger: Logger = quietLogger) -> HD44780Display {
        HD44780Display(name: "front LCD", device: device, commands: HD44780Commands(geometry: geometry), logger: logger,
                       pause: { device.record(.pause($0)) })
    }

    /// Written out by hand from the common backpack's wiring (P0 RS, P2 E, P3 backlight,
    /// P4...P7 D4...D7): a nibble is [data | backlight | E, data | backlight].
    static let initialisation: [Event] = [
        .write([0x08]),
        .pause(.milliseconds(50)),
        .write([0x3C, 0x38]),
        .pause(.milliseconds(5)),
        .write([0x3C, 0x38]),
        .pause(.microseconds(150)),
        .write([0x3C, 0x38]),
        .pause(.microseconds(150)),
        .write([0x2C, 0x28]),
        .write([0x2C, 0x28, 0x8C, 0x88, 0x0C, 0x08, 0xCC, 0xC8]),  // function set 0x28, display on 0x0C
        .write([0x0C, 0x08, 0x1C, 0x18]),  // clear
        .pause(.milliseconds(2)),
        .write([0x0C, 0x08, 0x6C, 0x68]),  // entry mode: increment
    ]

    /// A character: RS (0x01) set in all four bytes.
    static func characterBytes(_ code: UInt8) -> [UInt8] {
        let high = code & 0xF0 | 0x09, low = code << 4 | 0x09
        return [high | 0x04, high, low | 0x04, low]
    }

    static func rowWrite(address: UInt8, _ text: String) -> [UInt8] {
        let command = 0x80 | address
        let high = command & 0xF0 | 0x08, low = command << 4 | 0x08
        return [high | 0x04, high, low | 0x04, low] + text.utf8.flatMap(characterBytes)
    }

    @Test func theFirstMessageInitialisesTheLCDThenWritesEveryRow() async {
        let device = RecordingI2CDevice()
        let display = Self.display(device)
        await display.show("Door 12 is open")
        #expect(await Self.untilIdle(display))
        #expect(device.events == Self.initialisation + [
            .write(Self.rowWrite(address: 0x00, "Door 12 is open ")),
            .write(Self.rowWrite(address: 0x40, "                ")),
        ])
        #expect(Self.rowWrite(address: 0x40, "D").prefix(8) == [0xCC, 0xC8, 0x0C, 0x08, 0x4D, 0x49, 0x4D, 0x49],
                "set DDRAM 0x40 is command 0xC0; 'D' is 0x44 with RS")

        device.forget()
        await display.show("Please wait 30 s")
        #expect(await Self.untilIdle(display))
        #expect(device.events == [
            .write(Self.rowWrite(address: 0x00, "Please wait 30 s")),
            .write(Self.rowWrite(address: 0x40, "                ")),
        ], "initialised once; the padding overwrites the previous message")
    }

    @Test func aTwentyByFourUsesItsFourRowAddresses() async {
        let device = RecordingI2CDevice()
        let display = Self.display(device, geometry: .twentyByFour)
        await display.show("Too many wrong codes. Please wait 30 s.")
        #expect(await Self.untilIdle(display))
        #expect(Array(device.writes.suffix(4)) == [
            Self.rowWrite(address: 0x00, "Too many wrong      "),
            Self.rowWrite(address: 0x40, "codes. Please wait  "),
            Self.rowWrite(address: 0x14, "30 s.               "),
            Self.rowWrite(address: 0x54, "                    "),
        ])
    }

    @Test func messagesAreWrappedAtWordsTruncatedAndPadded() throws {
        let small = HD44780Commands(geometry: .sixteenByTwo)
        #expect(small.layout("Wrong code, 3 tries left.") == ["Wrong code, 3   ", "tries left.     "])
        #expect(small.layout("Type your pickup code or scan your QR code. Couriers: press MENU.")
            == ["Type your pickup", "code or scan    "], "what does not fit is dropped")
        #expect(small.layout("Parcel JD014600006281234567 (chilled)") == ["Parcel          ", "JD01460000628123"],
                "a word longer than a row is split")
        #expect(small.layout("Code: ***_\nENTER   to   confirm") == ["Code: ***_      ", "ENTER to confirm"],
                "line breaks kept, runs of spaces collapsed")
        #expect(small.layout("") == ["                ", "                "])
        let large = HD44780Commands(geometry: .twentyByFour)
        #expect(large.layout("Door 12 is open. Take your parcel and close the door.") == [
            "Door 12 is open.    ", "Take your parcel and", "close the door.     ", "                    ",
        ])
        let sixteenByFour = try #require(HD44780Commands.Geometry(columns: 16, rows: 4))
        #expect(sixteenByFour.rowAddresses == [0x00, 0x40, 0x10, 0x50])
        #expect(HD44780Commands.Geometry(columns: 40, rows: 4) == nil, "beyond the controller's 80 characters")
    }

    @Test func charactersOutsideTheROMFallBackToReadableASCII() async {
        #expect(HD44780Commands.lcdText("Tür 12 – bitte schließen") == "Tur 12 - bitte schliessen")
        #expect(HD44780Commands.lcdText("Łódź café Ærø “ok”…") == "Lodz cafe AEro \"ok\"...")
        #expect(HD44780Commands.lcdText("Paket 📦 門\tok") == "Paket ? ? ok")
        let device = RecordingI2CDevice()
        let display = Self.display(device)
        await display.show("Tür offen")
        #expect(await Self.untilIdle(display))
        #expect(device.writes.suffix(2).first == Self.rowWrite(address: 0x00, "Tur offen       "))
    }

    @Test func theTwoASCIICodesTheA00ROMDrawsDifferentlyAreReplaced() async {
        // On the common A00 ROM 0x5C is a yen sign and 0x7E an arrow.
        #expect(HD44780Commands.lcdText(#"C:\lockers\12 ~5 min"#) == "C:/lockers/12 -5 min")
        #expect(HD44780Commands.lcdText("Ａ＼Ｂ～") == "A/B-", "full-width forms decompose to the same two")
        #expect(HD44780Commands.lcdText("~/ok | {x}") == "-/ok | {x}", "the rest of printable ASCII is kept")
        let device = RecordingI2CDevice()
        let display = Self.display(device)
        await display.show(#"a\b~c"#)
        #expect(await Self.untilIdle(display))
        #expect(device.writes.suffix(2).first == Self.rowWrite(address: 0x00, "a/b-c           "))
        let characterCodes = device.writes.suffix(2).flatMap { $0 }.filter { $0 & 0x01 != 0 }  // RS set: character data
        #expect(!characterCodes.isEmpty)
        #expect(!stride(from: 0, to: characterCodes.count, by: 4).contains { index in
            let code = characterCodes[index] & 0xF0 | characterCodes[index + 2] >> 4
            return code == 0x5C || code == 0x7E
        }, "neither code reaches the LCD")
    }

    @Test func anotherBackpackWiringMovesTheBits() throws {
        // Some backpacks put the data lines on P0...P3 and the control lines above them.
        let wiring = try #require(HD44780Commands.BackpackWiring(registerSelect: 4, readWrite: 5, enable: 6, backlight: 7,
                                                                 data: [0, 1, 2, 3]))
        let commands = HD44780Commands(wiring: wiring)
        #expect(commands.character(0x41) == [0xD4, 0x94, 0xD1, 0x91])
        #expect(commands.command(0x01) == [0xC0, 0x80, 0xC1, 0x81])
        #expect(HD44780Commands(wiring: wiring, backlight: false).nibble(0x3, registerSelect: false) == [0x43, 0x03])
        #expect(HD44780Commands.BackpackWiring(registerSelect: 0, readWrite: 0, enable: 2, backlight: 3, data: [4, 5, 6, 7]) == nil,
                "two signals on one output")
    }

    @Test func aFailedWriteIsLoggedOnceAndTheNextMessageInitialisesAgain() async {
        let device = RecordingI2CDevice()
        let logs = GPIOCapturedLog()
        let display = Self.display(device, logger: logs.logger)
        await display.show("Door 12 is open")
        #expect(await Self.untilIdle(display))
        device.forget()

        device.failWrites(1, after: 1)  // the first row goes through, the second does not
        await display.show("Thank you.")
        #expect(await Self.untilIdle(display))
        device.failWrites(20)  // the display is gone: initialisation fails too
        await display.show("Wrong code, 3 tries left.")
        #expect(await Self.untilIdle(display))
        #expect(logs.count(.error) == 1, "one error for the streak")
        device.failWrites(0)  // the display is back
        device.forget()

        await display.show("Please wait 30 s")
        #expect(await Self.untilIdle(display))
        #expect(device.events == Self.initialisation + [
            .write(Self.rowWrite(address: 0x00, "Please wait 30 s")),
            .write(Self.rowWrite(address: 0x40, "                ")),
        ], "the LCD may have been power-cycled: initialised before the message")
        #expect(logs.count(.notice) == 1, "the recovery is logged")
        #expect(logs.count(.error) == 1)
    }

    @Test func showReturnsWhileAWriteIsBlockedAndOnlyTheNewestWaitingMessageIsWritten() async {
        let device = RecordingI2CDevice()
        let display = Self.display(device)
        device.holdWrites()  // a bus that times out: each transfer takes until released
        await display.show("Door 12 is open")
        #expect(await Self.eventually { device.heldWrites == 1 }, "the writer is stuck in the first write")

        // The cabinet's event loop goes on: these return although the bus is still stuck.
        let shown = Mutex(false)
        let showing = Task {
            await display.show("Wrong code, 3 tries left.")
            await display.show("Please wait 30 s")
            await display.show("Thank you.")
            shown.withLock { $0 = true }
        }
        #expect(await Self.eventually { shown.withLock { $0 } })
        #expect(device.heldWrites == 1 && device.writes.isEmpty, "returned while the write was still blocked")

        device.releaseWrites()
        await showing.value
        #expect(await Self.untilIdle(display))
        #expect(device.events == Self.initialisation + [
            .write(Self.rowWrite(address: 0x00, "Door 12 is open ")),
            .write(Self.rowWrite(address: 0x40, "                ")),
            .write(Self.rowWrite(address: 0x00, "Thank you.      ")),
            .write(Self.rowWrite(address: 0x40, "                ")),
        ], "the message being written is finished whole; of those waiting, only the newest is written")
    }

    @Test func waitingForIdleEndsWhenTheWaiterIsCancelled() async {
        let device = RecordingI2CDevice()
        let display = Self.display(device)
        #expect(await Self.untilIdle(display, within: .seconds(1)), "nothing shown yet: idle")
        device.holdWrites()
        await display.show("Door 12 is open")
        #expect(await Self.eventually { device.heldWrites == 1 })
        #expect(await Self.untilIdle(display, within: .milliseconds(50)) == false, "busy while a write is blocked")
        device.releaseWrites()
        #expect(await Self.untilIdle(display))
        #expect(device.events == Self.initialisation + [
            .write(Self.rowWrite(address: 0x00, "Door 12 is open ")),
            .write(Self.rowWrite(address: 0x40, "                ")),
        ])
    }
}

fileprivate extension GPIOCapturedLog {
    func count(_ level: Logger.Level) -> Int { lines.filter { $0.level == level }.count }
}
