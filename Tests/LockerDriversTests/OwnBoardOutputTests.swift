import Foundation
import LockerDrivers
import LockerHAL
import LockerSimulator
import LockerWire
import Testing

/// The driver sends SET INDICATOR and SET RELAY to boards of our own protocol (they were listed
/// as missing in the README): the LED of a door that opened blinks, a cold zone's relay switches.
@Suite(.serialized) struct OwnBoardOutputTests {
    static let fast = SerialBus.Timing(replyTimeoutMilliseconds: 150, retries: 1, interFrameGapMilliseconds: 1)

    @Test func indicatorsAreSetOnTheBoard() async throws {
        let server = try PseudoTerminalBoardServer(boards: [SimulatedOwnBoard(address: 6, hardware: .init(
            channelCount: 8, readDoors: { (Array(repeating: false, count: 8), Array(repeating: false, count: 8)) },
            pulse: { _ in true }))])
        defer { server.stop() }
        let bus = SerialBus(.init(path: server.terminal.subordinatePath, baud: 115_200), timing: Self.fast)
        let board = OwnProtocolLockBoard(address: 6, channelCount: 8, hasItemSensors: false, bus: bus)
        try await board.setIndicator(channel: 3, to: .blink)
        try await board.setIndicator(channel: 3, to: .off)
        #expect(server.withBoard(0) { $0.executedCommands } == [0x06, 0x06])
        await bus.close()
    }

    @Test func aRelayRefusedByTheBoardIsAnError() async throws {
        // The simulated firmware has no relays: SET RELAY is answered with an error reply.
        let server = try PseudoTerminalBoardServer(boards: [SimulatedOwnBoard(address: 6, hardware: .init(
            channelCount: 8, readDoors: { (Array(repeating: false, count: 8), Array(repeating: false, count: 8)) },
            pulse: { _ in true }))])
        defer { server.stop() }
        let bus = SerialBus(.init(path: server.terminal.subordinatePath, baud: 115_200), timing: Self.fast)
        let board = OwnProtocolLockBoard(address: 6, channelCount: 8, hasItemSensors: false, bus: bus)
        let relay = OwnBoardRelay(name: "fridge", board: board, relay: 1, logger: .init(label: "test"))
        await #expect(throws: HardwareError.self) { try await relay.set(on: true) }
        #expect(server.withBoard(0) { $0.executedCommands } == [0x05])
        await bus.close()
    }
}
