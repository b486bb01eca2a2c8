import Foundation
import LockerDrivers
import LockerHAL
import LockerSimulator
import LockerWire
import Synchronization

/// One board of a family, behind a pseudo-terminal that can lose, delay and invent frames, with
/// the physical model the simulated firmware reads and moves: the real driver on one side, the
/// family's simulated firmware (the same codec from the board side) on the other.
final class FaultModelRig: Sendable {
    enum Family: String, CaseIterable, Sendable {
        case ownVersion2 = "own protocol v2", ownVersion1 = "own protocol v1"
        case kerongCU16 = "Kerong CU16", kerongCU48 = "Kerong CU48", eightA = "8A/80"

        /// Whether the board queues changes as numbered events (seen even if undone between polls).
        var queuesEvents: Bool { self == .ownVersion2 || self == .ownVersion1 }
        var hasItemSensors: Bool { self != .eightA }
        var canReboot: Bool { queuesEvents }
    }

    static let channels = 8
    static let address = 2
    /// Short, so thousands of steps with lost frames fit in minutes; one retry survives one loss.
    static let timing = SerialBus.Timing(replyTimeoutMilliseconds: 40, retries: 1, interFrameGapMilliseconds: 1)

    let family: Family
    let locks = SimulatedLocks(channelCount: channels)
    let server: ByteBoardServer
    /// The host side: replaced when lockerd restarts (a new bus and driver, nothing carried over).
    private let host: Mutex<(bus: SerialBus, driver: any PolledLockBoard)>
    var bus: SerialBus { host.withLock { $0.bus } }
    var driver: any PolledLockBoard { host.withLock { $0.driver } }
    /// Own-protocol firmware (nil for the others), and changes waiting to be queued in it: a pulse
    /// happens inside the firmware's lock, so its event is queued after the request is answered.
    private let ownBoard: SharedBoard<SimulatedOwnBoard>?
    private let pendingOwnEvents = SharedBoard<[PendingChange]>([])

    struct PendingChange: Sendable {
        var channel: Int
        var kind: OwnBoardMessage.Event.Kind
    }
    private let uptime = Atomic<UInt32>(1)

    init(_ family: Family) throws {
        self.family = family
        let locks = self.locks
        let responder: ByteBoardServer.Responder
        var own: SharedBoard<SimulatedOwnBoard>?
        switch family {
        case .ownVersion2, .ownVersion1:
            let pending = pendingOwnEvents
            let board = SharedBoard(SimulatedOwnBoard(
                address: UInt8(Self.address), bootID: 1, protocolVersion: family == .ownVersion2 ? 2 : 1,
                hardware: .init(channelCount: Self.channels, readDoors: { (locks.doors, locks.items.withLock { $0 }) },
                                pulse: { channel in
                                    let wasOpen = locks.doors[channel - 1]
                                    locks.pulse(channel)
                                    if !wasOpen { pending.withBoard { $0.append(PendingChange(channel: channel, kind: .doorOpened)) } }
                                    return true
                                })))
            own = board
            responder = { bytes in board.withBoard { $0.receive(bytes) } }
        case .kerongCU16:
            let board = SharedBoard(SimulatedKerongCU16Board(board: Self.address, polarity: .setMeansOpen, hardware: .init(
                readDoors: { (locks.doors, locks.items.withLock { $0 }) }, pulse: { locks.pulse($0) })))
            responder = { bytes in board.withBoard { $0.receive(bytes) } }
        case .kerongCU48:
            let board = SharedBoard(SimulatedKerongCU48Board(board: Self.address, polarity: .setMeansOpen, hardware: .init(
                readDoors: { (locks.doors, locks.items.withLock { $0 }) }, pulse: { locks.pulse($0) })))
            responder = { bytes in board.withBoard { $0.receive(bytes) } }
        case .eightA:
            let board = SharedBoard(SimulatedEightABoard(address: Self.address, polarity: .setMeansOpen, hardware: .init(
                channelCount: Self.channels, readDoors: { locks.doors }, pulse: { locks.pulse($0) })))
            responder = { bytes in board.withBoard { $0.receive(bytes) } }
        }
        ownBoard = own
        server = try ByteBoardServer([responder])
        host = Mutex(try Self.makeHost(family, server: server))
    }

    /// A bus on the adapter's stable name and the family's real driver on it, as lockerd makes them at start.
    private static func makeHost(_ family: Family, server: ByteBoardServer) throws -> (bus: SerialBus, driver: any PolledLockBoard) {
        let bus = SerialBus(server.port(baud: family.queuesEvents ? 115_200 : 19_200), timing: Self.timing)
        let driver: any PolledLockBoard
        switch family {
        case .ownVersion2, .ownVersion1:
            driver = OwnProtocolLockBoard(address: Self.address, channelCount: Self.channels, hasItemSensors: true, bus: bus)
        case .kerongCU16:
            driver = try KerongCU16LockBoard(address: Self.address, channelCount: Self.channels, polarity: .setMeansOpen,
                                             hasItemSensors: true, bus: bus)
        case .kerongCU48:
            driver = try KerongCU48LockBoard(address: Self.address, channelCount: Self.channels, polarity: .setMeansOpen,
                                             hasItemSensors: true, bus: bus)
        case .eightA:
            driver = try EightALockBoard(address: Self.address, channelCount: Self.channels, polarity: .setMeansOpen, bus: bus)
        }
        return (bus, driver)
    }

    /// lockerd stops (its descriptor closed, everything in memory gone).
    func stopHost() async {
        await bus.close()
    }

    /// lockerd starts again: a new bus and a new driver that know nothing of the old ones.
    func startHost() throws {
        let fresh = try Self.makeHost(family, server: server)
        host.withLock { $0 = fresh }
    }

    func stop() async {
        await bus.close()
        server.stop()
    }

    // MARK: - The physical world

    /// A person changes a door or an item: the model moves, and a board that queues events (and
    /// is powered) queues it.
    func setDoor(_ channel: Int, open: Bool) {
        locks.set(channel: channel, open: open)
        queue(channel, open ? .doorOpened : .doorClosed)
    }

    func setItem(_ channel: Int, present: Bool) {
        locks.set(channel: channel, item: present)
        queue(channel, present ? .itemPresent : .itemRemoved)
    }

    /// Power cycle of an own-protocol board: a new boot id, its queue forgotten.
    func reboot(bootID: UInt16) {
        pendingOwnEvents.withBoard { $0.removeAll() }
        ownBoard?.withBoard { $0.reboot(bootID: bootID) }
    }

    /// Queues the changes a pulse made (call between steps, as the firmware's main loop would).
    func flushPulses() {
        let pending = pendingOwnEvents.withBoard { list in
            defer { list.removeAll() }
            return list
        }
        for change in pending { queueNow(change.channel, change.kind) }
    }

    private func queue(_ channel: Int, _ kind: OwnBoardMessage.Event.Kind) {
        flushPulses()
        queueNow(channel, kind)
    }

    private func queueNow(_ channel: Int, _ kind: OwnBoardMessage.Event.Kind) {
        let now = uptime.add(10, ordering: .relaxed).newValue
        ownBoard?.withBoard { $0.record(channel: UInt8(channel), kind: kind, uptimeMilliseconds: now) }
    }

    /// A frame a board sent earlier (or never for this request), put on the line before a poll:
    /// it claims every door open and full.
    func staleFrame() -> [UInt8] {
        let all = Array(repeating: true, count: Self.channels)
        switch family {
        case .ownVersion2, .ownVersion1:
            let events = (1...Self.channels).map {
                OwnBoardMessage.Event(number: UInt8(200 + $0), channel: UInt8($0), kind: .doorOpened, uptimeMilliseconds: 0)
            }
            return OwnBoardMessage.events(events).packet(address: UInt8(Self.address), sequence: 0).frame
        case .kerongCU16:
            return KerongCU16Codec.encode(KerongCU16Frame.status(board: Self.address, doorsOpen: all, itemsPresent: all,
                                                                 polarity: .setMeansOpen, answering: .status))
        case .kerongCU48:
            return KerongCU48Codec.encode(KerongCU48Frame.status(board: Self.address, doorsOpen: all, itemsPresent: all,
                                                                 polarity: .setMeansOpen, answering: .status))
        case .eightA:
            return EightACodec.encode(.readAllReply(board: Self.address, channelsOpen: all, polarity: .setMeansOpen))
        }
    }
}
