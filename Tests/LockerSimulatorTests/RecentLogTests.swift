import LockerHAL
import LockerSimulator
import Testing

/// A simulated cabinet left running (`make run`, the footprint soak) must not grow: what its
/// devices remember for tests is the most recent thousand entries, in order.
struct RecentLogTests {
    @Test func aSimulatedDeviceRemembersTheLatestThousandInOrder() async {
        let display = SimulatedDisplay(output: { _ in })
        let buzzer = SimulatedBuzzer(output: { _ in })
        let patterns: [BuzzerPattern] = [.confirm, .error, .reminder]
        for index in 0..<4_321 {
            await display.show("message \(index)")
            await buzzer.play(patterns[index % patterns.count])
        }
        #expect(display.messages.count == 1_000)
        #expect(display.messages.first == "message 3321" && display.messages.last == "message 4320")
        #expect(display.lastMessage == "message 4320")
        #expect(display.messages == (3_321..<4_321).map { "message \($0)" })
        #expect(buzzer.patterns == (3_321..<4_321).map { patterns[$0 % patterns.count] })
        // Under the capacity, everything is kept.
        let fresh = SimulatedDisplay(output: { _ in })
        for index in 0..<7 { await fresh.show("\(index)") }
        #expect(fresh.messages == (0..<7).map { "\($0)" })
    }
}
