import Glibc
@testable import LockerDaemon
import XCTest

/// The scrape endpoint answers Prometheus on loopback and nothing else: right status, headers and
/// body for `/metrics`, plain refusals for the rest, and no way to start it on a public address.
final class MetricsHTTPEndpointTests: XCTestCase {
    private struct ConnectFailed: Error { let errno: Int32 }

    /// Sends `request` raw over a new TCP connection to 127.0.0.1:`port` and returns everything the
    /// server sent until it closed the connection (the requests ask it to). Blocking is fine here:
    /// the endpoint answers on its own thread. A 5 s receive timeout keeps a broken server from
    /// hanging the test run.
    private func exchange(port: Int, _ request: String) throws -> String {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(socketFD, 0)
        defer { close(socketFD) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw ConnectFailed(errno: errno) }

        let bytes = Array(request.utf8)
        XCTAssertEqual(send(socketFD, bytes, bytes.count, 0), bytes.count)
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(socketFD, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            response += buffer.prefix(count)
        }
        return String(decoding: response, as: UTF8.self)
    }

    private func get(_ path: String, port: Int, method: String = "GET") throws -> (head: String, body: String) {
        let response = try exchange(port: port, "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        guard let split = response.range(of: "\r\n\r\n") else {
            XCTFail("no complete response: \(response.debugDescription)")
            return ("", "")
        }
        return (String(response[..<split.lowerBound]), String(response[split.upperBound...]))
    }

    func testMetricsAreServedWithThePrometheusTextContentType() async throws {
        let metrics = CabinetMetrics()
        metrics.wrongCode()
        let endpoint = try await MetricsHTTPEndpoint.start(host: "127.0.0.1", port: 0, exposition: metrics.exposition)
        XCTAssertGreaterThan(endpoint.port, 0)

        let (head, body) = try get("/metrics", port: endpoint.port)
        await endpoint.stop()

        let headLines = head.components(separatedBy: "\r\n")
        XCTAssertEqual(headLines.first, "HTTP/1.1 200 OK")
        XCTAssertTrue(headLines.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"), head)
        XCTAssertTrue(headLines.contains("Content-Length: \(body.utf8.count)"), head)
        XCTAssertTrue(body.contains("lockerd_wrong_codes_total 1\n"), body)
        XCTAssertEqual(body, metrics.exposition())
    }

    func testEachScrapeSeesTheCurrentValues() async throws {
        let metrics = CabinetMetrics()
        let endpoint = try await MetricsHTTPEndpoint.start(host: "localhost", port: 0, exposition: metrics.exposition)
        XCTAssertTrue(try get("/metrics", port: endpoint.port).body.contains("lockerd_wrong_codes_total 0\n"))
        metrics.wrongCode()
        XCTAssertTrue(try get("/metrics?x=1", port: endpoint.port).body.contains("lockerd_wrong_codes_total 1\n"))
        await endpoint.stop()
    }

    func testOtherPathsAreNotFoundAndOtherMethodsNotAllowed() async throws {
        let endpoint = try await MetricsHTTPEndpoint.start(host: "127.0.0.1", port: 0, exposition: { "secret 1\n" })
        let notFound = try get("/", port: endpoint.port)
        let alsoNotFound = try get("/metrics/extra", port: endpoint.port)
        let notAllowed = try get("/metrics", port: endpoint.port, method: "DELETE")
        await endpoint.stop()

        XCTAssertTrue(notFound.head.hasPrefix("HTTP/1.1 404 Not Found"), notFound.head)
        XCTAssertFalse(notFound.body.contains("secret"))
        XCTAssertTrue(alsoNotFound.head.hasPrefix("HTTP/1.1 404 Not Found"), alsoNotFound.head)
        XCTAssertTrue(notAllowed.head.hasPrefix("HTTP/1.1 405 Method Not Allowed"), notAllowed.head)
        XCTAssertTrue(notAllowed.head.contains("Allow: GET"), notAllowed.head)
        XCTAssertFalse(notAllowed.body.contains("secret"))
    }

    func testOnlyLoopbackHostsAreAccepted() async throws {
        for host in ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "::ffff:192.168.1.20", "example.com", "", "127.0.0.1.example.com"] {
            do {
                let endpoint = try await MetricsHTTPEndpoint.start(host: host, port: 0, exposition: { "" })
                await endpoint.stop()
                XCTFail("started on \(host.debugDescription)")
            } catch let error as MetricsHTTPEndpoint.NonLoopbackHost {
                XCTAssertEqual(error.host, host)
                XCTAssertTrue(error.description.contains("loopback only"), error.description)
            }
        }
        XCTAssertNotNil(MetricsHTTPEndpoint.loopbackAddress("127.0.0.1", port: 9100))
        XCTAssertNotNil(MetricsHTTPEndpoint.loopbackAddress("127.12.0.3", port: 9100))
        XCTAssertNotNil(MetricsHTTPEndpoint.loopbackAddress("::1", port: 9100))
        XCTAssertNotNil(MetricsHTTPEndpoint.loopbackAddress("[::1]", port: 9100))
        XCTAssertNotNil(MetricsHTTPEndpoint.loopbackAddress("LocalHost", port: 9100))
    }

    func testPipelinedRequestsGetOneAnswerAndTheConnectionCloses() async throws {
        // Any local user can reach the port: a client piling up requests it never reads must not
        // make the daemon buffer answers, so each connection gets one answer and is closed.
        let endpoint = try await MetricsHTTPEndpoint.start(host: "127.0.0.1", port: 0, exposition: { "up 1\n" })
        let response = try exchange(
            port: endpoint.port,
            "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\nGET /metrics HTTP/1.1\r\nHost: a\r\n\r\n"
        )
        await endpoint.stop()
        XCTAssertEqual(response.components(separatedBy: "HTTP/1.1 200 OK\r\n").count, 2, response)
        XCTAssertTrue(response.lowercased().contains("connection: close"), response)
    }

    func testStopReleasesThePort() async throws {
        let first = try await MetricsHTTPEndpoint.start(host: "127.0.0.1", port: 0, exposition: { "" })
        let port = first.port
        await first.stop()
        XCTAssertThrowsError(try exchange(port: port, "GET /metrics HTTP/1.1\r\n\r\n"))
        // The same port can be bound again at once (a restarted daemon keeps its scrape target).
        let second = try await MetricsHTTPEndpoint.start(host: "127.0.0.1", port: port, exposition: { "" })
        XCTAssertEqual(second.port, port)
        await second.stop()
    }
}
