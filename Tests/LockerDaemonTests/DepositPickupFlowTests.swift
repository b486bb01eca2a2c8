import Foundation
import LockerCore
import LockerDaemon
import Testing

/// The main custody flows end to end: keypad and scanner in, latch pulses and display out, through
/// the real controller and store on the simulated cabinet.
@Suite struct DepositPickupFlowTests {
    @Test func courierDepositsAndResidentPicksUp() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        #expect(cabinet.lastDisplay.contains("Hello Ann"))

        let (label, shown) = try await cabinet.deposit("SF1000000001")
        let code = try #require(shown)
        #expect(label == "A03", "smallest free S door on the least-worn latch")
        #expect(code.count == 8 && code.allSatisfy(\.isNumber), "eight digits by default")
        #expect(try cabinet.compartment(label).state == .occupied)
        #expect(try cabinet.liveParcels().map(\.trackingNumber) == ["SF1000000001"])

        await cabinet.press("enter 2")  // courier options, log out
        #expect(cabinet.lastDisplay.contains("Couriers: press MENU"))

        await cabinet.press(code)
        #expect(cabinet.isOpen(label), "the door opens on the last digit, no ENTER")
        #expect(cabinet.lastDisplay == "Door A03 is open. Take your parcel and close the door.")
        try await cabinet.take(label)
        try await cabinet.close(label)

        #expect(try cabinet.liveParcels().isEmpty)
        #expect(try cabinet.compartment(label).state == .available)
        let events = try cabinet.events()
        #expect(events.map(\.kind) == [
            "daemon.started", "deposit.door_opened", "deposit.door_seen_open", "deposit.committed", "pickup.door_opened",
            "pickup.committed",
        ])
        #expect(events.map(\.sequence) == Array(1...6))
        // The code itself is never recorded: only its keyed hash, outside the events.
        #expect(!events.contains { $0.payload.contains(code) })
        await cabinet.stop()
    }

    /// Each key holds the buses' status polls off (so the key that completes a code finds the bus
    /// free); the pulse of the pickup's latch lets them go at once, so the opening is seen.
    @Test func keysHoldThePollsAndTheUnlockReleasesThem() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        let code = try #require(try await cabinet.deposit("SF1000000007").code)
        await cabinet.press("enter 2")  // the courier logs out
        #expect(cabinet.pollDeferral.heldUntil() != nil, "the courier's keys hold the polls")
        cabinet.pollDeferral.release()

        await cabinet.press(String(code.dropLast()))
        let held = try #require(cabinet.pollDeferral.heldUntil(), "a code being typed holds the polls")
        #expect(held > .now + .seconds(1))
        await cabinet.press(String(code.last!))
        #expect(cabinet.openDoorLabel() != nil)
        #expect(cabinet.pollDeferral.heldUntil() == nil, "the unlock released the polls")

        // A wrong code opens nothing: the polls stay held until the hold runs out.
        await cabinet.press("00000000")
        #expect(cabinet.pollDeferral.heldUntil() != nil)
    }

    @Test func courierCancelsWithTheDoorOpen() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        await cabinet.scan("SF1000000002")
        await cabinet.press("enter")
        let label = try #require(cabinet.openDoorLabel())
        await cabinet.press("clear")
        #expect(cabinet.lastDisplay == "Deposit cancelled. Please close door \(label).")
        try await cabinet.close(label)
        #expect(try cabinet.compartment(label).state == .available)
        #expect(try cabinet.liveParcels().isEmpty)
        #expect(try cabinet.eventKinds().suffix(3) == ["deposit.door_opened", "deposit.door_seen_open", "deposit.cancelled"])
        await cabinet.stop()
    }

    @Test func aCancelledDoorWithSomethingInsideIsQuarantinedWhenClosed() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        await cabinet.scan("SF1000000009")
        await cabinet.press("enter")
        let label = try #require(cabinet.openDoorLabel())
        try await cabinet.put(label)
        await cabinet.press("clear")
        #expect(try cabinet.compartment(label).state == .reserved, "out of service until the door is closed")
        try await cabinet.close(label)
        let compartment = try cabinet.compartment(label)
        #expect(compartment.state == .quarantined)
        #expect(compartment.quarantineReason?.contains("cancelled but something is inside") == true)
        #expect(try cabinet.liveParcels().isEmpty)
        await cabinet.stop()
    }

    @Test func courierAsksForALargerDoor() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        await cabinet.scan("SF1000000003")
        await cabinet.press("2")  // size S
        #expect(cabinet.openDoorLabel() == "A03")
        await cabinet.press("1")  // larger door
        let larger = try #require(cabinet.openDoorLabel())
        #expect(larger == "A07", "the next size up (M), not the door that was too small")
        try await cabinet.close("A03")
        try await cabinet.put(larger)
        try await cabinet.close(larger)
        #expect(try cabinet.compartment("A03").state == .available)
        let parcel = try #require(try cabinet.liveParcels().first)
        #expect(parcel.compartmentID == (try cabinet.compartment("A07")).id)
        #expect(parcel.size == .m)
        #expect(try cabinet.eventKinds().suffix(6) == [
            "deposit.door_opened", "deposit.door_seen_open", "deposit.cancelled", "deposit.door_opened",
            "deposit.door_seen_open", "deposit.committed",
        ])
        await cabinet.stop()
    }

    @Test func doorClosedEmptyCancelsTheDeposit() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        await cabinet.scan("SF1000000004")
        await cabinet.press("enter")
        let label = try #require(cabinet.openDoorLabel())
        #expect(cabinet.hasItemSensor(label))
        try await cabinet.close(label)
        #expect(cabinet.lastDisplay == "Door \(label) closed with no parcel inside: deposit cancelled.")
        #expect(try cabinet.liveParcels().isEmpty)
        #expect(try cabinet.compartment(label).state == .available)
        await cabinet.stop()
    }

    @Test func aParcelAlreadyInTheCabinetIsRefused() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        _ = try await cabinet.deposit("SF1000000005")
        await cabinet.scan("SF1000000005")
        #expect(cabinet.lastDisplay.contains("already in A03"))
        await cabinet.scan("not a parcel!")
        #expect(cabinet.lastDisplay.contains("Cannot accept this parcel"))
        #expect(try cabinet.liveParcels().count == 1)
        await cabinet.stop()
    }

    @Test func chilledParcelGoesToAChilledCell() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        await cabinet.scan("SF1000000006")
        await cabinet.press("6")  // chilled
        await cabinet.press("3")  // size M
        let label = try #require(cabinet.openDoorLabel())
        #expect(try cabinet.compartment(label).temperatureClass == .chilled)
        await cabinet.stop()
    }

    @Test func wrongCourierPinIsRefused() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin(pin: "0000")
        #expect(cabinet.lastDisplay == "Courier ID or PIN not recognised.")
        await cabinet.scan("SF1000000007")
        #expect(cabinet.lastDisplay.contains("not a pickup code"), "not logged in: a scan is not a deposit")
        await cabinet.stop()
    }

    @Test func graceWindowReopensOnceWithTheSameCode() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        let (label, shown) = try await cabinet.deposit("SF1000000008")
        let code = try #require(shown)
        await cabinet.press("menu")  // log out
        await cabinet.press(code)
        try await cabinet.take(label)
        try await cabinet.close(label)
        await cabinet.wait(seconds: 10)
        await cabinet.press(code)
        #expect(cabinet.isOpen(label), "reopened within the grace window")
        try await cabinet.close(label)
        await cabinet.press(code)
        #expect(!cabinet.isOpen(label), "only once")
        #expect(cabinet.lastDisplay.hasPrefix("Wrong code"))
        #expect(try cabinet.eventKinds().contains("pickup.reopened"))
        await cabinet.stop()
    }

    @Test func severalParcelsOfOneRecipientShareADoorAndOneCode() async throws {
        var configuration = CabinetConfiguration.simulatedDefault
        configuration.boards = [.init(address: 1, channels: 3, hasItemSensors: true)]
        configuration.zones = []  // three ambient doors: no cold chain
        configuration.compartments = [
            .init(label: "D01", size: "S", board: 1, channel: 1),
            .init(label: "D02", size: "M", board: 1, channel: 2),
            .init(label: "D03", size: "L", board: 1, channel: 3),
        ]
        let cabinet = try await CabinetHarness(configuration: configuration)
        defer { cabinet.removeFiles() }
        for tracking in ["JD0000000001", "JD0000000002"] {
            let intake = ParcelIntake(trackingNumber: tracking, recipientReference: "resident-42", size: .xs)
            await cabinet.inbox.inspect { $0.addPreAdvice(intake) }
        }
        await cabinet.courierLogin()
        let first = try await cabinet.deposit("JD0000000001")
        let code = try #require(first.code)
        let second = try await cabinet.deposit("JD0000000002")
        #expect(first.label == "D01" && second.label == "D01")
        #expect(cabinet.lastDisplay.contains("same recipient's other parcels"))
        #expect(try cabinet.liveParcels().count == 2)

        await cabinet.press("menu")
        await cabinet.press(code)
        try await cabinet.take("D01")
        try await cabinet.close("D01")
        #expect(try cabinet.liveParcels().isEmpty)
        let pickup = try #require(try cabinet.events().last)
        #expect(pickup.kind == "pickup.committed")
        #expect(pickup.payload.contains("JD0000000001") && pickup.payload.contains("JD0000000002"))
        await cabinet.stop()
    }
}
