#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LockerDrivers
import Logging
import Synchronization
import Testing

/// The display as a file: a regular file is replaced whole, a FIFO gets lines and never blocks.
@Suite struct TextFileDisplayTests {
    static var logger: Logger {
        var logger = Logger(label: "test.text-display")
        logger.logLevel = .critical
        return logger
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("text-display-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aRegularFileIsReplacedWithTheLatestMessage() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/display.txt"
        let display = TextFileDisplay(path: path, logger: Self.logger)

        await display.show("Door 12 is open")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "Door 12 is open\n")
        let firstInode = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64

        await display.show("Wrong code, 3 tries left.\nPlease wait 30 s")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "Wrong code, 3 tries left. Please wait 30 s\n")
        let secondInode = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64
        #expect(firstInode != secondInode, "a new file renamed over the old one, not rewritten in place")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["display.txt"], "no temporary file left")
    }

    @Test func aFIFOWithAReaderReceivesOneLinePerMessage() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/display.fifo"
        #expect(mkfifo(path, 0o600) == 0)
        let reader = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(reader >= 0)
        defer { close(reader) }
        let display = TextFileDisplay(path: path, logger: Self.logger)

        await display.show("Door 12 is open")
        await display.show("Please wait 30 s")
        #expect(Self.readAvailable(reader) == "Door 12 is open\nPlease wait 30 s\n")
        var status = stat()
        #expect(stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO, "still a FIFO")
    }

    @Test func aFIFOWithoutAReaderDropsTheMessageWithoutBlocking() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/display.fifo"
        #expect(mkfifo(path, 0o600) == 0)
        let display = TextFileDisplay(path: path, logger: Self.logger)

        // A blocking open would never return: run it where the test can stop waiting for it.
        let finished = Mutex(false)
        let showing = Task {
            await display.show("Nobody reads this")
            await display.show("Nor this")
            finished.withLock { $0 = true }
        }
        for _ in 0..<500 where !finished.withLock({ $0 }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(finished.withLock { $0 }, "show returned although nobody reads the FIFO")
        guard finished.withLock({ $0 }) else { return }
        await showing.value

        let reader = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(reader >= 0)
        defer { close(reader) }
        await display.show("Door 12 is open")
        #expect(Self.readAvailable(reader) == "Door 12 is open\n", "dropped messages stay dropped; the next one arrives")
        var status = stat()
        #expect(stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO, "the FIFO is not replaced by a file")
    }

    @Test func aReaderThatFellBehindLosesWholeMessagesAndNeverBlocksTheCaller() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/display.fifo"
        #expect(mkfifo(path, 0o600) == 0)
        let reader = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(reader >= 0)
        defer { close(reader) }
        let display = TextFileDisplay(path: path, logger: Self.logger)

        // Long messages fill the pipe's 64 KiB after a few; the reader reads nothing meanwhile.
        let messages = (0..<40).map { "\($0) " + String(repeating: "x", count: 3_000) }
        for message in messages { await display.show(message) }
        let lines = Self.readAvailable(reader).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(!lines.isEmpty && lines.count < messages.count, "some delivered, the rest dropped: \(lines.count)")
        #expect(lines.map(String.init) == Array(messages.prefix(lines.count)), "every delivered line whole, in order")
    }

    @Test func aReaderThatKeepsTheFIFOOpenGetsEveryMessageWithoutAnEndOfFileInBetween() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/display.fifo"
        #expect(mkfifo(path, 0o600) == 0)
        // A screen process's `while read line; do ...; done < fifo`: one open, reading on and on.
        let reader = try #require(ContinuousFIFOReader(path: path))
        defer { reader.stop() }
        let display = TextFileDisplay(path: path, logger: Self.logger)

        let messages = ["Door 12 is open", "Please close the door", "Thank you.", "Type your code"]
        for (index, message) in messages.enumerated() {
            await display.show(message)
            // The reader goes on reading between messages, as a screen does: an EOF would show now.
            #expect(await reader.eventually { $0.lines.count == index + 1 }, "message \(index) arrived")
        }
        let (lines, endsOfFile) = reader.received
        #expect(lines == messages)
        #expect(endsOfFile == 0, "read never returned 0 (EOF: no writer) between messages")
    }

    @Test func aReaderThatGoesAwayAndComesBackGetsTheLaterMessages() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/display.fifo"
        #expect(mkfifo(path, 0o600) == 0)
        let display = TextFileDisplay(path: path, logger: Self.logger)

        let first = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(first >= 0)
        await display.show("Door 12 is open")
        #expect(Self.readAvailable(first) == "Door 12 is open\n")
        close(first)

        // Back before the next message: the write end kept open reaches the new reader.
        let second = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(second >= 0)
        await display.show("Please close the door")
        #expect(Self.readAvailable(second) == "Please close the door\n")
        close(second)

        // Gone when a message comes (EPIPE, without a SIGPIPE ending the tests), back for the next.
        await display.show("Nobody reads this")
        let third = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(third >= 0)
        defer { close(third) }
        await display.show("Thank you.")
        await display.show("Type your code")
        #expect(Self.readAvailable(third) == "Thank you.\nType your code\n")
    }

    @Test func aFIFOMadeAnewAtThePathIsOpenedAgain() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/display.fifo"
        #expect(mkfifo(path, 0o600) == 0)
        let display = TextFileDisplay(path: path, logger: Self.logger)
        let old = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(old >= 0)
        defer { close(old) }
        await display.show("Door 12 is open")
        #expect(Self.readAvailable(old) == "Door 12 is open\n")

        // The screen's service recreated its FIFO; the old one still has a reader.
        #expect(unlink(path) == 0 && mkfifo(path, 0o600) == 0)
        let new = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(new >= 0)
        defer { close(new) }
        await display.show("Thank you.")
        #expect(Self.readAvailable(new) == "Thank you.\n")
    }

    /// What the FIFO holds now; a few tiny waits in case the bytes are still on their way.
    static func readAvailable(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        var waits = 0
        while waits < 50 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += buffer[..<count]
                continue
            }
            if !bytes.isEmpty { break }
            usleep(2_000)
            waits += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A screen process reading a FIFO on a thread of its own: opened once, read on and on (polling,
/// so that it stops when told), every line kept and every end of file after the first line counted.
final class ContinuousFIFOReader: Sendable {
    private let state = Mutex<(lines: [String], endsOfFile: Int, isStopped: Bool)>(([], 0, false))
    private let finished = DispatchSemaphore(value: 0)

    var received: (lines: [String], endsOfFile: Int) { state.withLock { ($0.lines, $0.endsOfFile) } }

    /// Nil when the FIFO cannot be opened. Non-blocking, so that opening does not wait for a writer.
    init?(path: String) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        let thread = Thread { self.readUntilStopped(fd) }
        thread.name = "test FIFO reader"
        thread.start()
    }

    private func readUntilStopped(_ fd: Int32) {
        defer {
            close(fd)
            finished.signal()
        }
        var partial: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while !state.withLock({ $0.isStopped }) {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, 5)
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 {
                // No writer has the FIFO open: a blocking reader's loop would end here. (Before
                // the first line no writer has come yet; a blocking reader would still be opening.)
                state.withLock { if !$0.lines.isEmpty || !partial.isEmpty { $0.endsOfFile += 1 } }
                usleep(1_000)  // with no writer, poll returns at once
                continue
            }
            guard count > 0 else { continue }
            partial += buffer[..<count]
            while let newline = partial.firstIndex(of: 0x0A) {
                let line = String(decoding: partial[..<newline], as: UTF8.self)
                partial.removeSubrange(...newline)
                state.withLock { $0.lines.append(line) }
            }
        }
    }

    /// Polls `condition` every millisecond for at most `limit`; whether it came true.
    func eventually(within limit: Duration = .seconds(5),
                    _ condition: ((lines: [String], endsOfFile: Int)) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while !condition(received) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }

    /// Ends the thread and waits for it (at most a second) to have closed the FIFO.
    func stop() {
        state.withLock { $0.isStopped = true }
        _ = finished.wait(timeout: .now() + .seconds(1))
    }
}
