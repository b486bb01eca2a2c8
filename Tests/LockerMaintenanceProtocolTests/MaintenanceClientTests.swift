#if canImport(Glibc)
import Foundation
import Glibc
import Synchronization
import XCTest

@testable import LockerMaintenanceProtocol

/// The client against a scripted server on a real Unix socket: what a technician sees when the
/// daemon answers, refuses, vanishes or talks nonsense.
final class MaintenanceClientTests: XCTestCase {
    private let sampleQueue = QueueReport(
        state: "idle", depth: 3, oldestUnsentAt: Date(timeIntervalSince1970: 1_709_285_400), lastSuccessAt: nil,
        lastError: nil, backoffSeconds: nil)

    func testRequestAndResponseRoundTripInOrderOnOneConnection() throws {
        let received = Mutex<[MaintenanceRequest]>([])
        let queue = sampleQueue
        let server = try UnixSocketTestServer { connection in
            while let line = connection.readLine() {
                guard case .success(let request) = MaintenanceRequest.parse(Array(line.utf8)) else { return }
                received.withLock { $0.append(request) }
                var response = MaintenanceResponse(id: request.id)
                response.queue = queue
                connection.write((try! MaintenanceProtocol.line(response)) + "\n")
            }
        }
        defer { server.stop() }

        let client = try MaintenanceClient(socketPath: server.path)
        defer { client.close() }
        let first = try client.send(MaintenanceRequest(command: .queue, id: 1))
        let second = try client.send(MaintenanceRequest(command: .queue, id: 2))

        XCTAssertTrue(first.ok)
        XCTAssertEqual(first.id, 1)
        XCTAssertEqual(first.queue, sampleQueue)
        XCTAssertEqual(second.id, 2)
        XCTAssertEqual(client.lastResponseLine, try MaintenanceProtocol.line(second))
        client.close()
        server.stop()
        XCTAssertEqual(received.withLock { $0 }, [
            MaintenanceRequest(command: .queue, id: 1), MaintenanceRequest(command: .queue, id: 2),
        ])
    }

    func testMissingSocketNamesThePath() throws {
        let (directory, path) = try UnixSocketTestServer.makeSocketPath()
        defer { rmdir(directory) }

        XCTAssertThrowsError(try MaintenanceClient(socketPath: path)) { error in
            XCTAssertEqual(error as? MaintenanceClientError, .noSocket(path: path))
            XCTAssertEqual("\(error)", "no maintenance socket at \(path): is lockerd running?")
        }
    }

    func testStaleSocketSaysNothingIsListening() throws {
        let (directory, path) = try UnixSocketTestServer.makeSocketPath()
        try UnixSocketTestServer.bindWithoutListening(at: path)
        defer {
            unlink(path)
            rmdir(directory)
        }

        XCTAssertThrowsError(try MaintenanceClient(socketPath: path)) { error in
            XCTAssertEqual(error as? MaintenanceClientError, .notListening(path: path))
            XCTAssertTrue("\(error)".contains(path))
        }
    }

    func testPathLongerThanSunPathIsRefusedBeforeConnecting() {
        let path = "/tmp/" + String(repeating: "x", count: 200) + ".sock"

        XCTAssertThrowsError(try MaintenanceClient(socketPath: path)) { error in
            XCTAssertEqual(error as? MaintenanceClientError, .pathTooLong(path: path, limit: 107))
            XCTAssertTrue("\(error)".contains(path))
        }
    }

    func testServerClosingWithoutAnsweringIsAClearError() throws {
        let server = try UnixSocketTestServer { connection in
            _ = connection.readLine()
        }
        defer { server.stop() }
        let client = try MaintenanceClient(socketPath: server.path)
        defer { client.close() }

        XCTAssertThrowsError(try client.send(MaintenanceRequest(command: .status))) { error in
            XCTAssertEqual(error as? MaintenanceClientError, .closedWithoutAnswer(path: server.path))
            XCTAssertEqual("\(error)", "lockerd closed the connection on \(server.path) without answering")
        }
    }

    func testForbiddenLineSentOnConnectIsReturnedAsTheFailure() throws {
        // The daemon refuses before reading anything and closes: the request may even fail to be
        // written, and the refusal must still be what the client reports.
        let server = try UnixSocketTestServer { connection in
            let refusal = MaintenanceResponse.failure(MaintenanceFailure(.forbidden, "uid 1000 may not use this socket"), id: nil)
            connection.write((try! MaintenanceProtocol.line(refusal)) + "\n")
        }
        defer { server.stop() }
        let client = try MaintenanceClient(socketPath: server.path)
        defer { client.close() }

        let response = try client.send(MaintenanceRequest(command: .status))

        XCTAssertFalse(response.ok)
        XCTAssertEqual(response.error, MaintenanceFailure(.forbidden, "uid 1000 may not use this socket"))
    }

    func testResponseThatIsNotJSONIsReportedWithThePath() throws {
        let server = try UnixSocketTestServer { connection in
            _ = connection.readLine()
            connection.write("hello there\n")
        }
        defer { server.stop() }
        let client = try MaintenanceClient(socketPath: server.path)
        defer { client.close() }

        XCTAssertThrowsError(try client.send(MaintenanceRequest(command: .status))) { error in
            guard case .malformedResponse(let path, let detail)? = error as? MaintenanceClientError else {
                return XCTFail("expected malformedResponse, got \(error)")
            }
            XCTAssertEqual(path, server.path)
            XCTAssertTrue(detail.contains("hello there"), detail)
        }
    }

    func testResponseLineOverTheLimitIsRefused() throws {
        let server = try UnixSocketTestServer { connection in
            _ = connection.readLine()
            let chunk = String(repeating: "x", count: 1024 * 1024)
            // One byte more than the limit and no newline; stops as soon as the client hangs up.
            for _ in 0..<16 where connection.write(chunk) {}
            connection.write("x")
        }
        defer { server.stop() }
        let client = try MaintenanceClient(socketPath: server.path)
        defer { client.close() }

        XCTAssertThrowsError(try client.send(MaintenanceRequest(command: .metrics))) { error in
            XCTAssertEqual(
                error as? MaintenanceClientError,
                .responseTooLarge(path: server.path, limit: MaintenanceClient.maximumResponseBytes))
        }
    }

    func testFollowDeliversEventLinesThenNilWhenTheDaemonCloses() throws {
        let first = EventReport(
            sequence: 41, epoch: "e", kind: "door.opened", occurredAt: Date(timeIntervalSince1970: 1_709_285_400),
            door: "A01", parcelID: nil, payload: "{}", previousHash: "p", hash: "h")
        var second = first
        second.sequence = 42
        let events = [first, second]
        let server = try UnixSocketTestServer { connection in
            _ = connection.readLine()
            // The answer and both events in one write: the client must split lines itself.
            var text = (try! MaintenanceProtocol.line(MaintenanceResponse(id: 7))) + "\n"
            for event in events {
                var line = MaintenanceResponse(id: nil)
                line.event = event
                text += (try! MaintenanceProtocol.line(line)) + "\n"
            }
            connection.write(text)
        }
        defer { server.stop() }
        let client = try MaintenanceClient(socketPath: server.path)
        defer { client.close() }

        let answer = try client.send(MaintenanceRequest(command: .eventsFollow, id: 7, after: 40))
        try client.setReadTimeout(nil)

        XCTAssertEqual(answer.id, 7)
        XCTAssertEqual(try client.nextResponse()?.event, first)
        XCTAssertEqual(try client.nextResponse()?.event, second)
        XCTAssertNil(try client.nextResponse())
    }

    /// The helper the other tests rely on: a test that fails before connecting must not leave a
    /// thread blocked in accept.
    func testTestServerStopsWhenNoClientEverConnects() throws {
        let server = try UnixSocketTestServer { _ in XCTFail("nobody connected") }
        server.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: server.path))
    }

    func testUseAfterCloseIsAnErrorNotACrash() throws {
        let server = try UnixSocketTestServer { _ in }
        defer { server.stop() }
        let client = try MaintenanceClient(socketPath: server.path)
        client.close()
        client.close()

        XCTAssertThrowsError(try client.send(MaintenanceRequest(command: .status))) { error in
            XCTAssertEqual(error as? MaintenanceClientError, .closed(path: server.path))
        }
    }
}
#endif
