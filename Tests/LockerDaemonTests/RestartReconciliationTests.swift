import Foundation
import LockerCore
import LockerDaemon
import Testing

/// The daemon loses power in the middle of a door operation; on restart it reads every sensor and
/// ends each interrupted operation in a defined, recorded state.
@Suite struct RestartReconciliationTests {
    @Test func depositInterruptedAfterTheParcelWentInIsRecovered() async throws {
        let first = try await CabinetHarness()
        defer { first.removeFiles() }
        await first.courierLogin()
        await first.scan("SF3000000001")
        await first.press("enter")
        let label = try #require(first.openDoorLabel())
        await first.stop()
        // While the daemon is down the courier puts the parcel in and closes the door.
        try await first.put(label)
        try await first.close(label)

        let second = try await CabinetHarness(directory: first.directory, clock: first.clock)
        #expect(try second.compartment(label).state == .occupied)
        #expect(try second.liveParcels().map(\.trackingNumber) == ["SF3000000001"])
        #expect(try second.eventKinds().contains("deposit.recovered"))
        #expect(try second.compartment(label).isDoorOpen == false)
        await second.stop()
    }

    @Test func depositInterruptedBehindADoorWithoutItemSensorIsQuarantinedForInspection() async throws {
        var configuration = CabinetConfiguration.simulatedDefault
        configuration.boards[0].hasItemSensors = false
        let first = try await CabinetHarness(configuration: configuration)
        defer { first.removeFiles() }
        await first.courierLogin()
        await first.scan("SF3000000002")
        await first.press("enter")
        let label = try #require(first.openDoorLabel())
        await first.stop()
        try await first.close(label)

        let second = try await CabinetHarness(configuration: configuration, directory: first.directory, clock: first.clock)
        let compartment = try second.compartment(label)
        #expect(compartment.state == .quarantined)
        #expect(compartment.quarantineReason?.contains("SF3000000002") == true)
        #expect(try second.liveParcels().isEmpty, "custody is never invented")
        await second.stop()
    }

    @Test func doorStillOpenAfterRestartFinishesTheDepositWhenClosed() async throws {
        let first = try await CabinetHarness()
        defer { first.removeFiles() }
        await first.courierLogin()
        await first.scan("SF3000000003")
        await first.press("enter")
        let label = try #require(first.openDoorLabel())
        await first.stop()

        let second = try await CabinetHarness(directory: first.directory, clock: first.clock)
        #expect(try second.compartment(label).state == .reserved, "still waiting for the door")
        try await second.put(label)
        try await second.close(label)
        #expect(try second.compartment(label).state == .occupied)
        #expect(try second.eventKinds().last == "deposit.recovered")
        #expect(second.lastDisplay == "Deposit in \(label) recorded.", "no pickup code on the public display")
        #expect(second.shownCode() == nil)
        await second.stop()
    }

    @Test func pickupInterruptedAfterTheParcelWasTakenIsCommitted() async throws {
        let first = try await CabinetHarness()
        defer { first.removeFiles() }
        await first.courierLogin()
        let (label, shown) = try await first.deposit("SF3000000004")
        await first.press("menu")
        await first.press(try #require(shown))
        await first.stop()
        try await first.take(label)
        try await first.close(label)

        let second = try await CabinetHarness(directory: first.directory, clock: first.clock)
        #expect(try second.liveParcels().isEmpty)
        #expect(try second.eventKinds().last == "pickup.committed")
        await second.stop()
    }

    @Test func doorStateChangedWhileDownIsReconciledAndRecorded() async throws {
        let first = try await CabinetHarness()
        defer { first.removeFiles() }
        await first.stop()
        try await first.open("B04", force: true)

        let second = try await CabinetHarness(directory: first.directory, clock: first.clock)
        #expect(try second.compartment("B04").isDoorOpen)
        let event = try #require(try second.events().last { $0.kind == "door.reconciled" })
        #expect(event.payload.contains("\"sensor_open\":true"))
        await second.stop()
    }
}
