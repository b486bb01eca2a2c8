import Foundation
import LockerCore
import LockerDaemon
import LockerDrivers
import Testing

/// The whole daemon path to a board of our own protocol: controller, real serial driver, serial
/// bus, a pseudo-terminal, and simulated firmware answering from the cabinet's physical state.
@Suite(.serialized) struct SimulatedFirmwareFlowTests {
    static func configuration(kind: String = "simulated-own-protocol") -> CabinetConfiguration {
        var configuration = CabinetConfiguration.simulatedDefault
        configuration.boards[0].kind = kind
        configuration.boards[0].pollMilliseconds = 10
        return configuration
    }

    static var configuration: CabinetConfiguration { configuration() }

    @Test(arguments: ["simulated-own-protocol", "simulated-kerong-cu16", "simulated-kerong-cu48", "simulated-eight-a"])
    func depositAndPickupThroughTheSerialDriver(kind: String) async throws {
        var configuration = Self.configuration(kind: kind)
        // The 8A/80 board has no item sensors.
        if kind == "simulated-eight-a" { configuration.boards[0].hasItemSensors = false }
        let cabinet = try await CabinetHarness(configuration: configuration)
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        await cabinet.scan("SF4000000001")
        await cabinet.press("2")
        #expect(cabinet.openDoorLabel() == "A03")
        #expect(cabinet.isOpen("A03"), "the unlock went over the pseudo-terminal to the simulated firmware")
        // People take longer than a poll: wait until the daemon saw the door open and the parcel in.
        #expect(try await cabinet.eventually("door seen open") { try cabinet.compartment("A03").isDoorOpen })
        try await cabinet.put("A03")
        if cabinet.hasItemSensor("A03") {
            var seen = false
            for _ in 0..<400 where !seen {
                seen = try await cabinet.itemSensorSeen("A03") == true
                if !seen { try await Task.sleep(for: .milliseconds(5)) }
            }
            #expect(seen, "item sensor change came through the driver")
        }
        try await cabinet.close("A03")
        let committed = try await cabinet.eventually("deposit committed") { try cabinet.compartment("A03").state == .occupied }
        #expect(committed, "the door close came back through the driver's event polling")
        let code = try #require(cabinet.shownCode())

        await cabinet.press("menu")
        await cabinet.press(code)
        #expect(cabinet.isOpen("A03"))
        #expect(try await cabinet.eventually("door seen open") { try cabinet.compartment("A03").isDoorOpen })
        try await cabinet.take("A03")
        if cabinet.hasItemSensor("A03") {
            var gone = false
            for _ in 0..<400 where !gone {
                gone = try await cabinet.itemSensorSeen("A03") == false
                if !gone { try await Task.sleep(for: .milliseconds(5)) }
            }
            #expect(gone)
        }
        try await cabinet.close("A03")
        let pickedUp = try await cabinet.eventually("pickup committed") { try cabinet.liveParcels().isEmpty }
        #expect(pickedUp)
        #expect(try cabinet.eventKinds().suffix(2) == ["pickup.door_opened", "pickup.committed"])
        await cabinet.stop()
    }

    @Test func boardsOfBothKindsServeOneCabinet() async throws {
        let cabinet = try await CabinetHarness(configuration: Self.configuration)
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        await cabinet.scan("SF4000000002")
        await cabinet.press("6")  // chilled
        await cabinet.press("2")  // S: only B11 is an S chilled cell, on the in-process board
        #expect(cabinet.openDoorLabel() == "B11")
        try await cabinet.close("B11")
        #expect(try cabinet.compartment("B11").state == .occupied)
        await cabinet.stop()
    }
}

/// A configured board whose hardware is missing does not stop the cabinet.
@Suite struct MissingHardwareTests {
    @Test func aGPIOBoardOnAMissingChipIsOfflineWithTheReasonAndTheRestServes() async throws {
        var configuration = CabinetConfiguration.simulatedDefault
        let gpio = try JSONDecoder().decode(LockerDrivers.GPIOLockBoardConfiguration.self, from: Data("""
            {"chip": "/dev/gpiochip9", "channels": [{"latch": 17, "doorSensor": {"line": 27}}, {"latch": 22}]}
            """.utf8))
        configuration.boards.append(.init(address: 3, channels: 2, hasItemSensors: false, kind: "gpio"))
        configuration.boards[2].gpio = gpio
        configuration.compartments.append(.init(label: "G01", size: "L", board: 3, channel: 1))
        configuration.compartments.append(.init(label: "G02", size: "L", board: 3, channel: 2))
        configuration.zones = []  // the cold chain is not what this is about
        try configuration.validate()

        let cabinet = try await CabinetHarness(configuration: configuration)
        defer { cabinet.removeFiles() }
        let offline = try #require(try cabinet.events().first { $0.kind == "board.offline" })
        #expect(offline.payload.contains("gpiochip9"), "the reason names the missing chip: \(offline.payload)")
        await cabinet.courierLogin()
        _ = try await cabinet.deposit("SF5000000001", sizeKey: "4")
        #expect(try cabinet.liveParcels().first.map { try cabinet.compartment("G01").id != $0.compartmentID } == true)
        #expect(try cabinet.liveParcels().count == 1, "the cabinet kept serving on its other boards")
        await cabinet.stop()
    }
}
