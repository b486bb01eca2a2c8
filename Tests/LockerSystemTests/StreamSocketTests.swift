import Foundation
import LockerSystem
import Testing

/// Client stream sockets: failures name the call, the address and the errno.
@Suite struct StreamSocketTests {
    @Test func aTCPConnectToAClosedLoopbackPortIsRefused() {
        // Port 1 is privileged and nothing here listens on it (a port bound and closed again could
        // be taken at once by another test's listener).
        let error = #expect(throws: TCPConnectError.self) {
            try StreamSocket.connect(host: "127.0.0.1", port: 1, timeoutMilliseconds: 2_000)
        }

        guard case .failed(let failure, _) = error else {
            Issue.record("expected a failed connect, got \(String(describing: error))")
            return
        }
        #expect(failure.call == "connect")
        #expect(failure.path == "tcp://127.0.0.1:1")
        #expect(failure.code == SystemErrno.connectionRefused)
    }

    @Test func aHostThatDoesNotResolveSaysSo() {
        let error = #expect(throws: TCPConnectError.self) {
            try StreamSocket.connect(host: "no-such-host.invalid", port: 80, timeoutMilliseconds: 500)
        }

        guard case .unresolved(let host, let port, let reason) = error else {
            Issue.record("expected an unresolved host, got \(String(describing: error))")
            return
        }
        #expect(host == "no-such-host.invalid")
        #expect(port == 80)
        #expect(!reason.isEmpty)
    }

    @Test func aUnixConnectToAMissingSocketNamesThePath() {
        let path = "/nonexistent-\(UUID().uuidString)/maintenance.sock"

        let error = #expect(throws: SystemCallError.self) { try StreamSocket.connect(unixPath: path) }

        #expect(error?.call == "connect")
        #expect(error?.path == path)
        #expect(error?.code == SystemErrno.noSuchFile)
    }

    @Test func aUnixPathTooLongOrWithANulIsRefusedBeforeAnyCall() {
        let long = "/tmp/" + String(repeating: "x", count: StreamSocket.unixPathCapacity)
        let tooLong = #expect(throws: SystemCallError.self) { try StreamSocket.connect(unixPath: long) }
        #expect(tooLong?.path == long)
        #expect(tooLong?.code != nil && tooLong?.code != SystemErrno.noSuchFile)

        let withNul = #expect(throws: SystemCallError.self) { try StreamSocket.connect(unixPath: "/tmp/a\u{0}b") }
        #expect(withNul?.code == SystemErrno.invalidArgument)
    }

    @Test func pollingSeveralDescriptorsReportsEachInOrder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("locker-poll-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/fifo"
        try FileSystemCalls.makeFIFO(at: fifo)
        // An empty FIFO with a writer has nothing to read; /dev/zero always has.
        let quiet = try FileDescriptor.open(fifo, .readOnly, options: .nonBlocking)
        defer { quiet.close() }
        let writer = try FileDescriptor.open(fifo, .writeOnly, options: .nonBlocking)
        defer { writer.close() }
        let zero = try FileDescriptor.open("/dev/zero", .readOnly)
        defer { zero.close() }

        let seen = try FileDescriptor.poll([quiet, zero], for: .readable, milliseconds: 100)

        #expect(seen.count == 2)
        #expect(!seen[0].contains(.readable))
        #expect(seen[1].contains(.readable))
    }

    @Test func pollingAClosedDescriptorReportsItAsInvalid() throws {
        let file = try FileDescriptor.open("/dev/null", .readOnly)
        file.close()

        let seen = try FileDescriptor.poll([file], for: .readable, milliseconds: 10)

        // poll(2) reports a closed descriptor per entry (POLLNVAL), not as a failed call.
        #expect(seen == [.invalid])
    }

    @Test func writingToAPipeWithNoReaderIsBrokenPipeNotASignal() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("locker-pipe-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/fifo"
        try FileSystemCalls.makeFIFO(at: fifo)
        let reader = try FileDescriptor.open(fifo, .readOnly, options: .nonBlocking)
        let writer = try FileDescriptor.open(fifo, .writeOnly, options: .nonBlocking)
        defer { writer.close() }
        #expect(try writer.writeOnceWithoutPipeSignal([1][...]) == 1)
        reader.close()

        let error = #expect(throws: SystemCallError.self) { try writer.writeOnceWithoutPipeSignal([2][...]) }

        #expect(error?.code == SystemErrno.brokenPipe)
        #expect(error?.path == fifo)
    }
}
