import Foundation
import Glibc
import LockerCore
@testable import LockerDaemon
import LockerHAL
import Synchronization
import XCTest

/// The kiosk's HTTP server on loopback: its page for anyone, its feed and keys for the holder of
/// this start's token from this origin only, and a clear refusal for everything else.
final class KioskServerTests: XCTestCase {
    private let token = KioskToken.generate()
    private let pressed = PressedKeys()
    private var server: KioskServer!
    private var port: Int { server.port }

    override func setUp() async throws {
        let pressed = self.pressed
        server = try await KioskServer.start(host: "127.0.0.1", port: 0, token: token, feed: KioskFeed(),
                                             pressKey: { key in pressed.keys.withLock { $0.append(key) } })
    }

    override func tearDown() async throws {
        await server.stop()
    }

    func testThePageIsServedWithAStrictContentSecurityPolicy() throws {
        let page = try request("GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
        XCTAssertTrue(page.hasPrefix("HTTP/1.1 200 OK"), page)
        XCTAssertTrue(page.contains("Content-Type: text/html; charset=utf-8"))
        XCTAssertTrue(page.contains("Content-Security-Policy: default-src 'self'"))
        XCTAssertTrue(page.contains("<script src=\"/kiosk.js\""))
        let script = try request("GET /kiosk.js HTTP/1.1\r\nHost: localhost:\(port)\r\n\r\n")
        XCTAssertTrue(script.contains("Content-Type: text/javascript") && script.contains("new EventSource(\"/events\")"))
        let head = try request("HEAD /kiosk.css HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
        XCTAssertTrue(head.contains("Content-Length: \(KioskAsset.style.body.utf8.count)"), head)
        XCTAssertTrue(head.hasSuffix("\r\n\r\n"), "a HEAD answer has no body")
    }

    func testEveryBadRequestGetsAClearRefusal() throws {
        let host = "Host: 127.0.0.1:\(port)\r\n"
        let origin = "Origin: http://127.0.0.1:\(port)\r\n"
        let bearer = "Authorization: Bearer \(token)\r\n"
        func post(_ body: String, headers: String = host + origin + bearer) throws -> String {
            try request("POST /key HTTP/1.1\r\n\(headers)Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        }
        XCTAssertTrue(try request("GET /admin HTTP/1.1\r\n\(host)\r\n").hasPrefix("HTTP/1.1 404 Not Found"))
        XCTAssertTrue(try request("GET /admin HTTP/1.1\r\n\(host)\r\n").contains("the kiosk serves /, /kiosk.css"))
        // A name that only resolves here (DNS rebinding) is not this kiosk.
        XCTAssertTrue(try request("GET / HTTP/1.1\r\nHost: evil.example:\(port)\r\n\r\n").hasPrefix("HTTP/1.1 403 Forbidden"))
        let wrongMethod = try request("GET /key HTTP/1.1\r\n\(host)\r\n")
        XCTAssertTrue(wrongMethod.hasPrefix("HTTP/1.1 405") && wrongMethod.contains("Allow: POST"), wrongMethod)
        XCTAssertTrue(try request("DELETE / HTTP/1.1\r\n\(host)\r\n").hasPrefix("HTTP/1.1 405"))
        // The feed and the keys want this start's token.
        XCTAssertTrue(try request("GET /events HTTP/1.1\r\n\(host)\r\n").hasPrefix("HTTP/1.1 401 Unauthorized"))
        XCTAssertTrue(try request("GET /events HTTP/1.1\r\n\(host)Cookie: lockerd_kiosk=\(KioskToken.generate())\r\n\r\n")
            .contains("not this start's kiosk token"))
        XCTAssertTrue(try post(#"{"key":"1"}"#, headers: host + origin).hasPrefix("HTTP/1.1 401"))
        // Keys come from the page's own origin (a browser always says where a POST comes from).
        XCTAssertTrue(try post(#"{"key":"1"}"#, headers: host + bearer).hasPrefix("HTTP/1.1 403"))
        XCTAssertTrue(try post(#"{"key":"1"}"#, headers: host + "Origin: http://evil.example\r\n" + bearer).hasPrefix("HTTP/1.1 403"))
        for malformed in [#"{"key":"x"}"#, #"{"key":"12"}"#, #"{"key":"1","also":"2"}"#, "key=1", #"{"key":1}"#, "", #"{"key":"٣"}"#] {
            let answer = try post(malformed)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 400 Bad Request") && answer.contains("0-9, enter, clear, back, menu"), "\(malformed): \(answer)")
        }
        XCTAssertTrue(try post(#"{"key":""# + String(repeating: "1", count: 300) + #""}"#).hasPrefix("HTTP/1.1 413"))
        XCTAssertEqual(pressed.keys.withLock { $0 }, [], "no refused request pressed a key")
    }

    func testKeysFromThePageArePressedInOrderAndAnsweredOnceHandled() throws {
        let headers = "Host: 127.0.0.1:\(port)\r\nOrigin: http://127.0.0.1:\(port)\r\nCookie: other=1; lockerd_kiosk=\(token)\r\n"
        for key in ["menu", "1", "0", "enter", "back", "clear"] {
            let body = #"{"key":"\#(key)"}"#
            let answer = try request("POST /key HTTP/1.1\r\n\(headers)Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 204"), answer)
        }
        XCTAssertEqual(pressed.keys.withLock { $0 }, [.menu, .digit(1), .digit(0), .enter, .back, .clear])
    }

    func testTheFeedSendsTheScreenAtOnceAndThenEveryChange() throws {
        let welcome = KioskScreen(state: .idle(typed: ""), language: .english, message: .welcome)
        server.feed.publish(welcome)
        let connection = try connect()
        defer { close(connection) }
        try send(connection, "GET /events HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nCookie: lockerd_kiosk=\(token)\r\n\r\n")
        let first = try receive(connection, until: "\"id\":\"welcome\"")
        XCTAssertTrue(first.hasPrefix("HTTP/1.1 200 OK") && first.contains("Content-Type: text/event-stream"), first)
        XCTAssertTrue(first.contains("retry: 1000"))
        server.feed.publish(welcome)  // no change: nothing sent
        server.feed.publish(KioskScreen(state: .idle(typed: ""), language: .simplifiedChinese, message: .welcome))
        let second = try receive(connection, until: "zh-Hans")
        XCTAssertTrue(second.contains(#""language":"zh-Hans""#) && second.contains("请输入取件码"), second)
        XCTAssertFalse(second.contains(#""language":"en""#), "an unchanged screen is not sent again")
    }

    func testIdleConnectionsCannotUseUpTheDaemonsDescriptors() throws {
        let page = "GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n"
        var idle = try (0..<32).map { _ in try connect() }
        defer { idle.forEach { close($0) } }
        // Connections are accepted in the order they came: this one is the 33rd.
        XCTAssertEqual(try request(page), "", "the 33rd connection is closed unanswered")
        idle.forEach { close($0) }
        idle = []
        let deadline = Date().addingTimeInterval(5)
        var answer = ""
        while Date() < deadline {
            answer = try request(page)
            if answer.hasPrefix("HTTP/1.1 200") { break }
            usleep(20_000)
        }
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200"), "served again once the idle connections closed")
    }

    func testTheTokenFileIsForItsOwnerOnlyAndReplacedAtEachStart() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-token-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try KioskToken.write("first", to: path)
        try KioskToken.write(token, to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), token + "\n")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, 0o600)
        XCTAssertEqual(token.count, 64)
        XCTAssertNotEqual(KioskToken.generate(), KioskToken.generate())
    }

    func testTheConfigurationKeepsTheKioskOnLoopback() {
        XCTAssertEqual(KioskConfiguration(listen: "127.0.0.1:8088").problems(), [])
        XCTAssertEqual(KioskConfiguration(listen: "[::1]:8088").problems(), [])
        XCTAssertTrue(KioskConfiguration(listen: "0.0.0.0:8088").problems().first?.contains("loopback") == true)
        XCTAssertTrue(KioskConfiguration(listen: "8088").problems().first?.contains("HOST:PORT") == true)
        XCTAssertTrue(KioskConfiguration(listen: "127.0.0.1:70000").problems().first?.contains("0...65535") == true)
        XCTAssertTrue(KioskConfiguration(tokenPath: "kiosk.token").problems().first?.contains("absolute") == true)
        XCTAssertEqual(KioskConfiguration().effectiveTokenPath(maintenanceSocketPath: "/run/lockerd/maintenance.sock"),
                       "/run/lockerd/kiosk.token")
    }

    // MARK: - A raw HTTP client (blocking is fine: the server answers on its own thread)

    private struct SocketFailure: Error { let call: String; let errno: Int32 }

    private func connect() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketFailure(call: "socket", errno: errno) }
        // A broken server must not hang the run.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw SocketFailure(call: "connect", errno: errno)
        }
        return fd
    }

    private func send(_ fd: Int32, _ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(fd, bytes, bytes.count, 0) == bytes.count else { throw SocketFailure(call: "send", errno: errno) }
    }

    /// Reads until `marker` arrived (nil: until the server closes), or 5 s passed.
    private func receive(_ fd: Int32, until marker: String? = nil) throws -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            received += buffer.prefix(count)
            if let marker, String(decoding: received, as: UTF8.self).contains(marker) { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// One request on a new connection; the whole answer (the server closes after it).
    private func request(_ text: String) throws -> String {
        let fd = try connect()
        defer { close(fd) }
        try send(fd, text)
        return try receive(fd)
    }
}

/// The keys the server handed on, in order.
private final class PressedKeys: Sendable {
    let keys = Mutex<[HardwareKey]>([])
}
