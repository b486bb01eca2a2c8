import Foundation
import Testing
@testable import LockerDaemon

/// The ticker's pace: a cabinet with nothing under way asks for a tick every five seconds (an
/// idle cabinet's tick wakes three threads for nothing), a code being typed or a door standing
/// open every quarter second, and once the door is closed again it slows down again.
@Suite struct TickerPaceTests {
    @Test func anIdleCabinetTicksSlowlyAndABusyOneQuickly() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        #expect(await cabinet.inbox.tick() == .seconds(5), "nothing under way")
        await cabinet.press("12")
        #expect(await cabinet.inbox.tick() == .milliseconds(250), "a code is being typed")
        await cabinet.press("clear")
        #expect(await cabinet.inbox.tick() == .seconds(5))
        try await cabinet.open("A01", force: true)
        #expect(await cabinet.inbox.tick() == .milliseconds(250), "a door stands open")
        try await cabinet.close("A01")
        await cabinet.settle()
        #expect(await cabinet.inbox.tick() == .seconds(5), "the door closed again")
        await cabinet.stop()
    }
}
