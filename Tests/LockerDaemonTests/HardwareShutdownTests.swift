import Foundation
import LockerDaemon
import LockerHAL
import LockerSimulator
import Logging
import Testing

/// Tearing the hardware down puts every board in its inert state (`LockBoard.releaseAll`).
@Suite struct HardwareShutdownTests {
    @Test func stopReleasesEveryBoard() async throws {
        let configuration = CabinetConfiguration.simulatedDefault
        let cabinet = SimulatedCabinet(boards: configuration.boards.map {
            .init(address: $0.address, channelCount: $0.channels, hasItemSensors: $0.hasItemSensors)
        })
        var logger = Logger(label: "test.hardware")
        logger.logLevel = .critical
        let hardware = try HardwareAssembly(configuration: configuration, cabinet: cabinet, logger: logger)
        #expect(cabinet.latchReleases.isEmpty)

        await hardware.stop()

        #expect(cabinet.latchReleases.sorted() == configuration.boards.map(\.address).sorted())
    }
}
