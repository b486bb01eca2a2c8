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
