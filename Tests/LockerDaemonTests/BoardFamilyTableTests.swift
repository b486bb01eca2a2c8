import Foundation
import LockerDaemon
import LockerDrivers
import LockerHAL
import LockerSimulator
import Logging
import Testing

/// The board-family table: every kind the configuration knows belongs to exactly one family, and
/// every family's simulated twin is a firmware its own driver can talk to.
struct BoardFamilyTableTests {
    typealias BoardKind = CabinetConfiguration.Board.BoardKind

    @Test func everyKindHasExactlyOneFamily() {
        for kind in BoardKind.allCases {
            let claiming = BoardFamily.all.filter { $0.kinds.contains(kind) }
            #expect(claiming.count == 1, "\(kind.rawValue) is claimed by \(claiming.map(\.name))")
            #expect(kind.family?.kinds.contains(kind) == true)
        }
        let claimed = BoardFamily.all.flatMap(\.kinds)
        #expect(claimed.count == Set(claimed).count)
        #expect(Set(claimed) == Set(BoardKind.allCases))
    }

    @Test func everyTwinIsSimulatedAndEveryRealSerialKindNeedsADevice() throws {
        for family in BoardFamily.all {
            if let twin = family.simulatedKind {
                #expect(family.makeSimulatedFirmware != nil, "\(family.name) has a twin kind but no simulated firmware")
                #expect(twin.rawValue == "simulated-" + family.kind.rawValue)
                #expect(family.isSimulated(twin))
                #expect(!family.isSimulated(family.kind))
            }
            guard case .serial = family.driver else { continue }
            var configuration = CabinetConfiguration.simulatedDefault
            configuration.boards[0].kind = family.kind.rawValue
            configuration.boards[0].busAddress = family.addresses?.lowerBound
            let error = #expect(throws: ConfigurationError.self) { try configuration.validate() }
            #expect(error?.problems.contains { $0.contains("needs \"device\"") } == true, "\(family.name)")
        }
    }

    @Test func familyDefaultsReachTheBoardEntries() {
        var board = CabinetConfiguration.Board(address: 1, channels: 16, hasItemSensors: false, kind: "simulated-kerong-cu48")
        #expect(!board.setBitMeansOpen, "the CU48 sheet reads a set bit as closed")
        #expect(board.effectiveBaud == 19_200)
        board.kind = "eight-a"
        #expect(board.setBitMeansOpen)
        #expect(board.effectiveBaud == 9_600)
        board.kind = "own-protocol"
        #expect(board.effectiveBaud == 115_200)
        #expect(board.effectiveParity == .none)
        #expect(board.pollMilliseconds == 250)
    }

    /// Each twin's simulated firmware behind a pseudo-terminal, driven by the family's real driver
    /// as the table builds it: an unlock reaches the simulated cabinet, and the status comes back.
    @Test(arguments: BoardFamily.all.filter { $0.simulatedKind != nil }.map(\.name))
    func simulatedTwinAndDriverReachEachOther(familyName: String) async throws {
        let family = try #require(BoardFamily.all.first { $0.name == familyName })
        let twin = try #require(family.simulatedKind)
        let makeFirmware = try #require(family.makeSimulatedFirmware)
        guard case .serial(let makeDriver) = family.driver else {
            Issue.record("\(family.name) has a simulated twin but no serial driver")
            return
        }
        let address = 3
        var board = CabinetConfiguration.Board(address: address, channels: 8, hasItemSensors: false, kind: twin.rawValue)
        board.pollMilliseconds = 10
        let cabinet = SimulatedCabinet(boards: [.init(address: address, channelCount: 8, hasItemSensors: false)])
        let link = try SimulatedFirmwareLink(
            cabinet: cabinet, boardAddresses: [address], setBitMeansOpen: board.setBitMeansOpen, makeFirmware: makeFirmware)
        defer { link.stop() }
        let bus = SerialBus(
            endpoint: LinkEndpoint(device: link.terminal.subordinatePath, baud: board.effectiveBaud, parity: board.effectiveParity,
                                   kernelRS485: false),
            timing: family.busTiming)
        let driver = try makeDriver(board, address, bus)

        let before = try await driver.readStatus()
        #expect(before.doorOpen == Array(repeating: false, count: 8))
        try await driver.unlock(channel: 2, pulseMilliseconds: 500)
        #expect(cabinet.isDoorOpen(board: address, channel: 2), "the unlock reached the simulated cabinet")
        let after = try await driver.readStatus()
        #expect(after.doorOpen[1], "the open door came back through the \(family.name) firmware and driver")
        await bus.close()
    }

    /// `HardwareAssembly` builds every twin from the table: one firmware link per family, and a
    /// working driver (not an unavailable board) for each.
    @Test func assemblyBuildsEveryTwinFromTheTable() async throws {
        var configuration = CabinetConfiguration()
        let twins = BoardFamily.all.compactMap(\.simulatedKind)
        configuration.boards = twins.enumerated().map { index, kind in
            var board = CabinetConfiguration.Board(address: index + 1, channels: 8, hasItemSensors: false, kind: kind.rawValue)
            board.pollMilliseconds = 10
            return board
        }
        let cabinet = SimulatedCabinet(boards: configuration.boards.map {
            .init(address: $0.address, channelCount: $0.channels, hasItemSensors: false)
        })
        let assembly = try HardwareAssembly(configuration: configuration, cabinet: cabinet, logger: Logger(label: "test"))
        #expect(assembly.firmwareLinks.count == twins.count)
        #expect(assembly.boards.count == twins.count)
        #expect(!assembly.boards.contains { $0 is UnavailableLockBoard })
        for board in assembly.boards {
            let status = try await board.readStatus()
            #expect(status.doorOpen.count == 8, "board \(board.address)")
        }
        await assembly.stop()
    }

    /// The host's reply timeout and retry count are configuration (PROTOCOL.md says so): each board
    /// may ask for more, and a bus shared by boards takes the slowest of them; out of range is refused.
    @Test func replyTimeoutAndRetriesComeFromTheBoardsOnABus() async throws {
        var configuration = CabinetConfiguration.simulatedDefault
        configuration.boards[0].kind = "simulated-kerong-cu16"
        configuration.boards[0].replyTimeoutMilliseconds = 750
        configuration.boards[1].kind = "simulated-own-protocol"
        configuration.boards[1].retries = 5
        try configuration.validate()
        let cabinet = SimulatedCabinet(boards: configuration.boards.map {
            .init(address: $0.address, channelCount: $0.channels, hasItemSensors: false)
        })
        let assembly = try HardwareAssembly(configuration: configuration, cabinet: cabinet, logger: Logger(label: "test"))
        let timings = assembly.buses.map(\.timing)
        // Each simulated twin has a pseudo-terminal, hence a bus, of its own.
        #expect(timings.contains(SerialBus.Timing(replyTimeoutMilliseconds: 750, retries: 2, interFrameGapMilliseconds: 5)), "\(timings)")
        #expect(timings.contains(SerialBus.Timing(replyTimeoutMilliseconds: 200, retries: 5, interFrameGapMilliseconds: 5)), "\(timings)")
        await assembly.stop()

        configuration.boards[0].replyTimeoutMilliseconds = 0
        configuration.boards[1].retries = 11
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        do { try configuration.validate() } catch {
            #expect("\(error)".contains("board 1: replyTimeoutMilliseconds must be 10...5000, is 0"))
            #expect("\(error)".contains("board 2: retries must be 0...10, is 11"))
        }
    }
}
