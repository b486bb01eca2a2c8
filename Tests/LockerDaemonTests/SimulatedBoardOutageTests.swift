import Foundation
import LockerCore
import LockerDaemon
import Testing

/// A simulated board behind a pseudo-terminal that is `down` goes silent, as hardware does
/// (issue 14, sequence 10): it must not answer "all closed, empty", which made the daemon cancel
/// a deposit with the parcel inside.
@Suite(.serialized) struct SimulatedBoardOutageTests {
    @Test(arguments: ["simulated-own-protocol", "simulated-kerong-cu16", "simulated-kerong-cu48", "simulated-eight-a"])
    func aBoardThatIsDownIsSilentAndTheDepositSurvivesIt(kind: String) async throws {
        var configuration = SimulatedFirmwareFlowTests.configuration(kind: kind)
        if kind == "simulated-eight-a" { configuration.boards[0].hasItemSensors = false }
        let cabinet = try await CabinetHarness(configuration: configuration)
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        await cabinet.scan("SF4000000002")
        await cabinet.press("2")
        let label = try #require(cabinet.openDoorLabel())
        #expect(try await cabinet.eventually("door seen open") { try cabinet.compartment(label).isDoorOpen })
        try await cabinet.put(label)
        let board = cabinet.address(label).board

        await cabinet.cabinet.setBoardDown(board, true)
        #expect(try await cabinet.eventually("board noticed offline") { try cabinet.eventKinds().contains("board.offline") })
        let kinds = try cabinet.eventKinds()
        #expect(!kinds.contains("deposit.cancelled"), "a silent board decides nothing: \(kinds)")
        #expect(try cabinet.compartment(label).isDoorOpen, "the record keeps what was last seen")

        await cabinet.cabinet.setBoardDown(board, false)
        #expect(try await cabinet.eventually("board back") { try cabinet.eventKinds().contains("board.online") })
        try await cabinet.close(label)
        #expect(try await cabinet.eventually("deposit committed") { try cabinet.compartment(label).state == .occupied })
        #expect(try !cabinet.eventKinds().contains("deposit.cancelled"))
        await cabinet.stop()
    }
}
