import Foundation
import LockerCore
import LockerDaemon
import LockerSimulator
import Testing

/// What goes wrong at a cabinet: latches that do not open, doors forced or left open, boards that
/// stop answering, guessed codes, parcels nobody collects.
@Suite struct FaultFlowTests {
    @Test func courierReportsTheDoorDidNotOpen() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        cabinet.cabinet.setJammed(board: 1, channel: 3, true)  // A03
        await cabinet.courierLogin()
        await cabinet.scan("SF2000000001")
        await cabinet.press("enter")
        #expect(!cabinet.isOpen("A03"))
        await cabinet.press("2")  // door did not open
        #expect(try cabinet.compartment("A03").state == .quarantined)
        let next = try #require(cabinet.openDoorLabel())
        #expect(next != "A03" && cabinet.isOpen(next), "another door opened for the same parcel")
        #expect(try cabinet.eventKinds().contains("compartment.quarantined"))
        #expect(try cabinet.eventKinds().contains("latch.failed"))
        await cabinet.stop()
    }

    @Test func sensorNoticesALatchThatDidNotOpen() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        cabinet.cabinet.setJammed(board: 1, channel: 3, true)
        await cabinet.courierLogin()
        await cabinet.scan("SF2000000002")
        await cabinet.press("enter")
        await cabinet.wait(seconds: 4)
        #expect(try cabinet.compartment("A03").state == .reserved, "still within the confirmation time")
        await cabinet.wait(seconds: 1)
        #expect(try cabinet.compartment("A03").state == .quarantined)
        #expect(cabinet.openDoorLabel() == "A04")
        #expect(cabinet.isOpen("A04"))
        await cabinet.stop()
    }

    @Test func quarantinedCompartmentIsNeverAssigned() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        cabinet.cabinet.setJammed(board: 1, channel: 3, true)
        await cabinet.courierLogin()
        await cabinet.scan("SF2000000003")
        await cabinet.press("2")
        await cabinet.press("2")
        try await cabinet.put("A04")
        try await cabinet.close("A04")
        cabinet.cabinet.setJammed(board: 1, channel: 3, false)
        let pulsesBefore = cabinet.cabinet.unlocks.count
        // A03 is the least-worn S door, but quarantined: the next S parcels go elsewhere.
        for tracking in ["SF2000000004", "SF2000000014"] {
            _ = try await cabinet.deposit(tracking, sizeKey: "2")
        }
        let later = cabinet.cabinet.unlocks.dropFirst(pulsesBefore)
        #expect(later.count == 2)
        #expect(!later.contains(BoardChannel(board: 1, channel: 3)))
        #expect(try cabinet.compartment("A03").state == .quarantined)
        await cabinet.stop()
    }

    @Test func reportingAnOpenDoorAsNotOpenedQuarantinesNothing() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        await cabinet.scan("SF2000000012")
        await cabinet.press("2")
        #expect(cabinet.isOpen("A03"))
        await cabinet.press("2")  // "door did not open", but the sensor saw it open
        #expect(try cabinet.compartment("A03").state == .reserved)
        #expect(try !cabinet.eventKinds().contains("latch.failed"))
        await cabinet.stop()
    }

    @Test func aReportedLatchFailureIsRecordedOnce() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        cabinet.cabinet.setJammed(board: 1, channel: 3, true)
        await cabinet.courierLogin()
        await cabinet.scan("SF2000000013")
        await cabinet.press("2")
        await cabinet.press("2")
        await cabinet.wait(seconds: 10)
        #expect(try cabinet.eventKinds().filter { $0 == "latch.failed" }.count == 1)
        #expect(try cabinet.eventKinds().filter { $0 == "compartment.quarantined" }.count == 1)
        await cabinet.stop()
    }

    @Test func doorLeftOpenGetsAReminderThenAnAlarm() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        await cabinet.scan("SF2000000005")
        await cabinet.press("enter")
        let label = try #require(cabinet.openDoorLabel())
        await cabinet.wait(seconds: 60)
        #expect(cabinet.lastDisplay == "Please close door \(label).")
        #expect(cabinet.cabinet.buzzer.patterns.last == .reminder)
        #expect(try !cabinet.eventKinds().contains("door.left_open"))
        await cabinet.wait(seconds: 120)
        #expect(try cabinet.eventKinds().last == "door.left_open")
        #expect(cabinet.cabinet.buzzer.patterns.last == .alarm)
        try await cabinet.put(label)
        try await cabinet.close(label)
        #expect(try cabinet.eventKinds().suffix(2) == ["door.closed_after_alarm", "deposit.committed"])
        await cabinet.stop()
    }

    @Test func forcedDoorRaisesAnAlarm() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await #expect(throws: (any Error).self) { try await cabinet.open("A05") }
        try await cabinet.open("A05", force: true)
        #expect(try cabinet.eventKinds().last == "door.forced_open")
        #expect(cabinet.cabinet.buzzer.patterns.last == .alarm)
        await cabinet.stop()
    }

    @Test func wrongCodesLockTheKeypadOutWithGrowingDelaysAcrossRestarts() async throws {
        let first = try await CabinetHarness()
        defer { first.removeFiles() }
        await first.courierLogin()
        let (label, shown) = try await first.deposit("SF2000000006")
        let code = try #require(shown)
        await first.press("menu")
        let wrong = code == "00000000" ? "11111111" : "00000000"
        for triesLeft in [4, 3, 2, 1] {
            await first.press(wrong)
            #expect(first.lastDisplay == "Wrong code, \(triesLeft) \(triesLeft == 1 ? "try" : "tries") left.")
        }
        await first.press(wrong)
        #expect(first.lastDisplay == "Keypad locked for 30 s. QR codes and couriers still work.")
        await first.press(code)
        #expect(!first.isOpen(label), "locked out: even the right code is not checked")
        #expect(try first.eventKinds().contains("keypad.locked_out"))
        await first.stop()

        // Pulling the plug does not give a guesser fresh tries.
        let second = try await CabinetHarness(directory: first.directory, clock: first.clock)
        await second.press(code)
        #expect(second.lastDisplay.hasPrefix("Keypad locked for"))
        await second.wait(seconds: 30)
        await second.press(wrong)
        #expect(second.lastDisplay == "Keypad locked for 1 min. QR codes and couriers still work.", "the next lockout doubles")
        await second.wait(seconds: 60)
        await second.press(code)
        #expect(second.isOpen(label))
        await second.stop()
    }

    @Test func overdueParcelIsFlaggedAndRetrievedByACourier() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        let (label, _) = try await cabinet.deposit("SF2000000007")
        await cabinet.press("menu")
        await cabinet.jump(seconds: 47 * 3600)
        #expect(try cabinet.compartment(label).state == .occupied)
        await cabinet.jump(seconds: 1 * 3600 + 1)
        #expect(try cabinet.compartment(label).state == .overdue)
        #expect(try cabinet.liveParcels().first?.status == .overdue)
        #expect(try cabinet.eventKinds().last == "parcel.overdue")

        await cabinet.courierLogin(id: "1002", pin: "8765")
        await cabinet.press("enter 1")  // options, retrieve overdue
        #expect(cabinet.lastDisplay.contains("Door \(label) is open: take the 1 overdue parcel"))
        try await cabinet.take(label)
        try await cabinet.close(label)
        #expect(try cabinet.liveParcels().isEmpty)
        #expect(try cabinet.compartment(label).state == .available)
        #expect(try cabinet.eventKinds().last == "retrieval.committed")
        #expect(try cabinet.store.parcels().first?.status == .retrieved)
        await cabinet.stop()
    }

    @Test func chilledParcelsAreOverdueSooner() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        let (label, _) = try await cabinet.deposit("SF2000000008", sizeKey: "6 3")
        await cabinet.jump(seconds: 24 * 3600 + 1)
        #expect(try cabinet.compartment(label).state == .overdue)
        await cabinet.stop()
    }

    @Test func boardThatStopsAnsweringIsWorkedAround() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.cabinet.setBoardDown(1, true)
        await cabinet.courierLogin()
        await cabinet.scan("SF2000000009")
        await cabinet.press("2")
        let label = try #require(cabinet.openDoorLabel())
        #expect(label.hasPrefix("B"), "board 1 did not answer, so a door on board 2 opened")
        #expect(try cabinet.eventKinds().contains("board.offline"))
        #expect(try cabinet.compartment("A03").state == .available, "no reservation on the silent board")
        #expect(!cabinet.cabinet.unlocks.contains { $0.board == 1 }, "a board known to be silent is not even tried")
        try await cabinet.close(label)
        await cabinet.cabinet.setBoardDown(1, false)
        #expect(try cabinet.eventKinds().last == "board.online")
        await cabinet.scan("SF2000000010")
        await cabinet.press("2")
        #expect(cabinet.openDoorLabel() == "A03", "board 1 is used again once it answers")
        await cabinet.stop()
    }

    @Test func pickupFromABoardThatStoppedAnsweringSaysSeeStaff() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        let (label, shown) = try await cabinet.deposit("SF2000000011")
        let code = try #require(shown)
        await cabinet.press("menu")
        await cabinet.cabinet.setBoardDown(1, true)
        await cabinet.press(code)
        #expect(cabinet.lastDisplay == "Door \(label) cannot be opened right now. Please see staff.")
        #expect(try cabinet.liveParcels().count == 1, "the parcel stays in custody")
        await cabinet.press(code)  // known offline now: no pulse is even tried
        await cabinet.wait(seconds: 6)
        #expect(try cabinet.compartment(label).state == .occupied, "an offline board is not a jammed latch")
        await cabinet.cabinet.setBoardDown(1, false)
        await cabinet.press(code)
        #expect(cabinet.isOpen(label), "the same code works once the board is back")
        await cabinet.stop()
    }
}
