import Foundation
import LockerDaemon
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The daemon's parts as swift-service-lifecycle services: shut down in the reverse order of their
/// start, each torn down after it stopped, and a part that ignores the request to stop is
/// cancelled once the bound is over (so lockerd stops inside systemd's TimeoutStopSec).
@Suite struct DaemonServiceTests {
    final class Journal: Sendable {
        let lines = Mutex<[String]>([])
        func note(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    static func group(_ services: [DaemonService], bound: Duration) -> ServiceGroup {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: $0.description) },
            logger: logger)
        configuration.maximumGracefulShutdownDuration = bound
        configuration.maximumCancellationDuration = .seconds(5)
        return ServiceGroup(configuration: configuration)
    }

    @Test func partsStopInReverseOrderAndEachIsTornDownAfterItStopped() async throws {
        let journal = Journal()
        let loop = AsyncStream<Void>.makeStream()
        let services = [
            DaemonService.holding("hardware", teardown: { journal.note("hardware released") }),
            DaemonService("uplink", body: {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(60)) }
                journal.note("uplink cancelled")
            }, teardown: { journal.note("uplink closed") }),
            DaemonService("cabinet loop", body: {
                for await _ in loop.stream {}
                journal.note("cabinet loop finished its input")
            }, onGracefulShutdown: {
                journal.note("cabinet loop asked to stop")
                loop.continuation.finish()
            }),
        ]
        let group = Self.group(services, bound: .seconds(30))
        async let running: Void = group.run()
        await group.triggerGracefulShutdown()
        try await running
        #expect(journal.all == [
            "cabinet loop asked to stop", "cabinet loop finished its input",
            "uplink cancelled", "uplink closed",
            "hardware released",
        ])
    }

    @Test func aPartThatIgnoresTheRequestIsCancelledAfterTheBoundAndStillTornDown() async throws {
        let journal = Journal()
        let services = [
            DaemonService.holding("hardware", teardown: { journal.note("hardware released") }),
            DaemonService("wedged", body: {
                // Ignores the graceful request; only cancellation ends it.
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
                journal.note("wedged part cancelled")
            }, onGracefulShutdown: { journal.note("wedged part asked to stop (ignored)") }),
        ]
        let group = Self.group(services, bound: .milliseconds(200))
        async let running: Void = group.run()
        await group.triggerGracefulShutdown()
        try? await running
        #expect(journal.all.first == "wedged part asked to stop (ignored)")
        #expect(journal.all.contains("wedged part cancelled"))
        #expect(journal.all.last == "hardware released", "\(journal.all)")
    }

    @Test func theDaemonsBoundsStayInsideSystemdsStopTimeout() throws {
        let unit = try String(contentsOfFile: Self.repositoryFile("systemd/lockerd.service"), encoding: .utf8)
        let timeout = unit.split(separator: "\n").first { $0.hasPrefix("TimeoutStopSec=") }.map { Int($0.dropFirst(15).prefix { $0.isNumber }) ?? 0 }
        let total = Daemon.gracefulShutdownBound + Daemon.cancellationBound
        #expect(timeout != nil, "the unit has no TimeoutStopSec")
        #expect(total < .seconds(timeout ?? 0), "graceful \(Daemon.gracefulShutdownBound) + cancellation \(Daemon.cancellationBound)")
    }

    static func repositoryFile(_ path: String) -> String {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent(path)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
            directory = directory.deletingLastPathComponent()
        }
        return path
    }
}
