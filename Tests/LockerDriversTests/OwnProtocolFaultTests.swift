import Foundation
import LockerDrivers
import LockerHAL
import LockerSimulator
import LockerWire
import Synchronization
import Testing

/// What one own-protocol board says wrong never takes the whole board offline (issue 14,
/// sequences 8 and 9): unknown event kinds, malformed events payloads, event number 0 and
/// channels the board does not have are skipped; a latch fault is that channel's alone.
@Suite(.serialized) struct OwnProtocolFaultTests {
    final class RecordingHandler: HardwareEventHandler {
        let events = Mutex<[HardwareEvent]>([])
        func handle(_ event: HardwareEvent) async { events.withLock { $0.append(event) } }
        var recorded: [HardwareEvent] { events.withLock { $0 } }
    }

    /// A board of our protocol whose READ EVENTS answer is a scripted payload (so that it can be
    /// wrong in ways the simulated firmware never is); it records each acknowledgement it gets and,
    /// once anything is acknowledged, has no more events. It speaks version 1, boot id 7.
    final class ScriptedEventsBoard: Sendable {
        let address: UInt8
        let eventsPayload: Mutex<[UInt8]>
        let acknowledgements = Mutex<[UInt8]>([])
        private let decoder = Mutex(OwnBoardDecoder())

        init(address: UInt8, eventsPayload: [UInt8]) {
            self.address = address
            self.eventsPayload = Mutex(eventsPayload)
        }

        func receive(_ bytes: [UInt8]) -> [UInt8] {
            var buffer = bytes
            var output: [UInt8] = []
            decoder.withLock { decoder in
                while let result = decoder.decode(&buffer) {
                    guard case .frame(let packet) = result, !packet.isFromBoard, packet.address == address else { continue }
                    switch try? OwnBoardMessage(packet: packet) {
                    case .identify?:
                        output += OwnBoardMessage.identity(.init(firmware: (1, 0, 0), channelCount: 8, capabilities: [], bootID: 7,
                                                                 model: "SCRIPTED")).packet(address: address, sequence: packet.sequence).frame
                        continue
                    case .readStatus?:
                        let closed = Array(repeating: false, count: 8)
                        output += OwnBoardMessage.status(.init(bootID: 7, doorOpen: closed, itemPresent: closed, latchReleased: closed))
                            .packet(address: address, sequence: packet.sequence).frame
                        continue
                    case .readEvents?: break
                    default: continue
                    }
                    guard case .readEvents(let acknowledged)? = try? OwnBoardMessage(packet: packet) else { continue }
                    acknowledgements.withLock { $0.append(acknowledged) }
                    // As a real board: acknowledged events are gone (the scripts are one batch).
                    if acknowledged != 0 { eventsPayload.withLock { $0 = [0] } }
                    output += OwnBoardPacket(address: address, isFromBoard: true, sequence: packet.sequence, command: 0x88,
                                             payload: eventsPayload.withLock { $0 }).frame
                }
            }
            return output
        }
    }

    static let fast = SerialBus.Timing(replyTimeoutMilliseconds: 150, retries: 1, interFrameGapMilliseconds: 1)

    /// One event: number, channel, kind, uptime 0.
    static func event(_ number: UInt8, channel: UInt8, kind: UInt8) -> [UInt8] { [number, channel, kind, 0, 0, 0, 0] }

    func poll(_ payload: [UInt8], times: Int = 1) async throws -> (events: [HardwareEvent], acknowledgements: [UInt8]) {
        let scripted = ScriptedEventsBoard(address: 5, eventsPayload: payload)
        let server = try ByteBoardServer([{ scripted.receive($0) }])
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 115_200), timing: Self.fast)
        let board = OwnProtocolLockBoard(address: 5, channelCount: 8, hasItemSensors: false, bus: bus)
        let handler = RecordingHandler()
        for _ in 0..<times { await board.pollOnce(delivering: handler) }
        await bus.close()
        return (handler.recorded, scripted.acknowledgements.withLock { $0 })
    }

    @Test func anUnknownEventKindIsSkippedAndAcknowledgedAndTheBoardStaysOnline() async throws {
        let (events, acknowledgements) = try await poll(
            [2] + Self.event(1, channel: 1, kind: 0x09) + Self.event(2, channel: 2, kind: 1), times: 2)
        #expect(events == [.doorChanged(board: 5, channel: 2, isOpen: true)])
        #expect(acknowledgements.last == 2, "acknowledged, so the board stops repeating it")
    }

    @Test func anUnknownEventKindAloneIsAcknowledgedToo() async throws {
        let (events, acknowledgements) = try await poll([1] + Self.event(7, channel: 3, kind: 0x42), times: 2)
        #expect(events.isEmpty)
        #expect(acknowledgements.last == 7)
    }

    @Test func aMalformedEventsPayloadDoesNotTakeTheBoardOffline() async throws {
        // Says two events, carries one.
        let (events, _) = try await poll([2] + Self.event(1, channel: 1, kind: 1), times: 3)
        #expect(events.isEmpty, "no boardLost, no event: \(events)")
    }

    @Test func eventNumberZeroIsRefused() async throws {
        let (events, acknowledgements) = try await poll([1] + Self.event(0, channel: 1, kind: 1), times: 2)
        #expect(events.isEmpty, "a reserved number is no door opening: \(events)")
        #expect(acknowledgements.allSatisfy { $0 == 0 })
    }

    @Test func anEventForAChannelTheBoardDoesNotHaveIsSkipped() async throws {
        let (events, _) = try await poll([2] + Self.event(1, channel: 9, kind: 1) + Self.event(2, channel: 0, kind: 1))
        #expect(events.isEmpty)
    }

    @Test func aLatchFaultEventIsThatChannelsOnly() async throws {
        let (events, _) = try await poll([1] + Self.event(1, channel: 4, kind: 5))
        #expect(events == [.latchFault(board: 5, channel: 4, detail: "the board reports a latch fault event")])
    }

    @Test func anUnlockLatchFaultNamesTheChannelAndLeavesTheBoardOnline() async throws {
        let server = try PseudoTerminalBoardServer(boards: [SimulatedOwnBoard(address: 2, hardware: .init(
            channelCount: 8, readDoors: { (Array(repeating: false, count: 8), Array(repeating: false, count: 8)) },
            pulse: { $0 != 3 }))])
        defer { server.stop() }
        let bus = SerialBus(.init(path: server.terminal.subordinatePath, baud: 115_200), timing: Self.fast)
        let board = OwnProtocolLockBoard(address: 2, channelCount: 8, hasItemSensors: false, bus: bus)
        await #expect {
            try await board.unlock(channel: 3, pulseMilliseconds: 300)
        } throws: { error in
            guard case HardwareError.latchFault(board: 2, channel: 3, _) = error else { return false }
            return true
        }
        try await board.unlock(channel: 4, pulseMilliseconds: 300)
        let handler = RecordingHandler()
        await board.pollOnce(delivering: handler)
        #expect(!handler.recorded.contains { if case .boardLost = $0 { true } else { false } })
        await bus.close()
    }
}
