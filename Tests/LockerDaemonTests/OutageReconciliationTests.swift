import Foundation
import LockerCore
import LockerHAL
import Synchronization
import Testing

/// A board that goes silent between its last poll and the next unlock: it refuses the pulse once.
final class PulseRefusingBoard: LockBoard {
    let inner: any LockBoard
    let refusals = Mutex(1)
    init(_ inner: any LockBoard) { self.inner = inner }
    var address: Int { inner.address }
    var channelCount: Int { inner.channelCount }
    var hasItemSensors: Bool { inner.hasItemSensors }
    func unlock(channel: Int, pulseMilliseconds: Int) async throws {
        let refuse = refusals.withLock { left -> Bool in
            defer { left = max(0, left - 1) }
            return left > 0
        }
        if refuse { throw HardwareError.boardNotAnswering(board: address, detail: "no reply to UNLOCK") }
        try await inner.unlock(channel: channel, pulseMilliseconds: pulseMilliseconds)
    }
    func readStatus() async throws -> LockBoardStatus { try await inner.readStatus() }
    func releaseAll() async { await inner.releaseAll() }
}

/// What happens to a door while nobody watches it (its board silent) is found when the board
/// answers again: a door opened unseen, parcels taken unseen, something left in a free door, each
/// an alarm with the outage interval, and the door out of service where custody is in doubt.
@Suite struct OutageReconciliationTests {
    /// The first door with an item sensor on board 1.
    static func sensedDoor(_ cabinet: CabinetHarness) throws -> String {
        try #require(cabinet.configuration.compartments.first { $0.board == 1 && cabinet.hasItemSensor($0.label) }?.label)
    }

    @Test func aParcelTakenWhileItsBoardWasSilentIsAnAlarmAndItsDoorIsQuarantined() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        let (label, _) = try await cabinet.deposit("SF3000000001")
        let sensed = cabinet.hasItemSensor(label) && cabinet.address(label).board == 1
        try #require(sensed, "deposited in \(label)")
        await cabinet.cabinet.setBoardDown(1, true)
        #expect(try cabinet.eventKinds().last == "board.offline", "a silent board is noticed")
        await cabinet.jump(seconds: 600)
        try await cabinet.open(label, force: true)
        try await cabinet.take(label)
        try await cabinet.close(label)
        #expect(try cabinet.compartment(label).state == .occupied, "nothing was seen while the board was silent")
        await cabinet.cabinet.setBoardDown(1, false)
        let events = try cabinet.events()
        let missing = try #require(events.last { $0.kind == "parcel.missing" }, "\(events.map(\.kind))")
        #expect(missing.payload.contains("SF3000000001"))
        #expect(missing.payload.contains("outage_from") && missing.payload.contains("outage_to"))
        #expect(try cabinet.compartment(label).state == .quarantined)
        #expect(try cabinet.liveParcels().count == 1, "the record keeps the parcel for a person to resolve")
        await cabinet.stop()
    }

    @Test func aDoorFoundOpenAfterAnOutageIsAnAlarm() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        let label = try Self.sensedDoor(cabinet)
        await cabinet.cabinet.setBoardDown(1, true)
        try await cabinet.open(label, force: true)
        await cabinet.cabinet.setBoardDown(1, false)
        let kinds = try cabinet.eventKinds()
        #expect(kinds.suffix(3) == ["board.online", "door.reconciled", "door.opened_unseen"], "\(kinds)")
        #expect(try cabinet.compartment(label).isDoorOpen)
        await cabinet.stop()
    }

    @Test func somethingLeftInAFreeDoorDuringAnOutageKeepsCouriersAway() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        let label = try Self.sensedDoor(cabinet)
        await cabinet.cabinet.setBoardDown(1, true)
        try await cabinet.open(label, force: true)
        try await cabinet.put(label)
        try await cabinet.close(label)
        await cabinet.cabinet.setBoardDown(1, false)
        #expect(try cabinet.eventKinds().contains("door.unexpected_item"))
        #expect(try cabinet.compartment(label).state == .quarantined)
        await cabinet.stop()
    }

    @Test func aBoardThatRefusesThePulseReleasesTheReservationAndAnotherDoorOpens() async throws {
        let cabinet = try await CabinetHarness(wrapBoards: { $0.address == 1 ? PulseRefusingBoard($0) : $0 })
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        await cabinet.scan("SF3000000002")
        await cabinet.press("2")
        let label = try #require(cabinet.openDoorLabel())
        #expect(label.hasPrefix("B"), "board 1 refused the pulse, so a door on board 2 opened")
        let kinds = try cabinet.eventKinds()
        #expect(kinds.contains("board.offline"))
        #expect(kinds.filter { $0 == "deposit.door_opened" }.count == 2)
        #expect(kinds.contains("deposit.cancelled"), "the refused door's reservation is released with a record")
        #expect(try cabinet.compartment("A03").state == .available)
        await cabinet.stop()
    }
}
