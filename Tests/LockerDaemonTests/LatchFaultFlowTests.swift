import Foundation
import LockerCore
import LockerDaemon
import LockerHAL
import Testing

/// A latch fault reported by a board is that door's alone (issue 14, sequence 9): the door is
/// quarantined with an alarm and the board's other doors go on working.
@Suite struct LatchFaultFlowTests {
    @Test func aLatchFaultQuarantinesThatDoorOnlyWithAnAlarm() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        let faulty = cabinet.address("A05")
        await cabinet.inbox.handle(.latchFault(board: faulty.board, channel: faulty.channel, detail: "coil open"))
        await cabinet.settle()

        let kinds = try cabinet.eventKinds()
        #expect(kinds.suffix(2) == ["latch.failed", "compartment.quarantined"])
        #expect(!kinds.contains("board.offline"), "the board itself answers")
        #expect(try cabinet.compartment("A05").state == .quarantined)
        #expect(cabinet.cabinet.buzzer.patterns.last == .alarm)
        // The same board's other doors still open.
        let neighbour = try #require(cabinet.configuration.compartments.first {
            $0.label != "A05" && $0.board == faulty.board
        })
        #expect(try cabinet.compartment(neighbour.label).state == .available)
        await cabinet.courierLogin()
        let (label, _) = try await cabinet.deposit("TRACK-LATCH-1")
        #expect(!label.isEmpty && label != "A05")
        await cabinet.stop()
    }

    /// The unlock itself is refused with a latch fault (in process, and through the real driver of
    /// our own protocol and its simulated firmware): that door is quarantined, the board stays
    /// online, and the courier gets another door for the same parcel.
    @Test(arguments: ["simulated", "simulated-own-protocol"])
    func aDepositWhoseLatchIsFaultyGoesToAnotherDoor(kind: String) async throws {
        var configuration = SimulatedFirmwareFlowTests.configuration(kind: kind)
        if kind == "simulated" { configuration = CabinetConfiguration.simulatedDefault }
        let cabinet = try await CabinetHarness(configuration: configuration)
        defer { cabinet.removeFiles() }
        let faulty = cabinet.address("A03")
        cabinet.cabinet.setLatchFaulty(board: faulty.board, channel: faulty.channel, true)
        await cabinet.courierLogin()
        await cabinet.scan("SF2000000021")
        await cabinet.press("enter")
        #expect(try await cabinet.eventually("A03 quarantined") { try cabinet.compartment("A03").state == .quarantined })
        let next = try #require(cabinet.openDoorLabel())
        #expect(next != "A03" && cabinet.isOpen(next), "another door opened for the same parcel")
        let kinds = try cabinet.eventKinds()
        #expect(kinds.contains("latch.failed"))
        #expect(!kinds.contains("board.offline"), "one latch, not the board: \(kinds)")
        #expect(try cabinet.compartment("A03").quarantineReason?.contains("latch fault") == true)
        await cabinet.stop()
    }
}
