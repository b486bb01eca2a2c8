@testable import LockerDaemon
import Logging
import Synchronization
import XCTest

/// journald reads the level from the `<N>` prefix and ends an entry at a newline: each log call
/// must come out as exactly one line with the right priority and parseable metadata.
final class JournaldLogHandlerTests: XCTestCase {
    /// Collects what the handler writes instead of sending it to standard error.
    private final class CapturedLines: Sendable {
        private let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func append(_ line: String) { lines.withLock { $0.append(line) } }
    }

    private func logger(level: Logger.Level = .trace, provider: Logger.MetadataProvider? = nil) -> (Logger, CapturedLines) {
        let captured = CapturedLines()
        var handler = JournaldLogHandler(label: "lockerd.test", level: level, write: { captured.append($0) })
        handler.metadataProvider = provider
        return (Logger(label: "lockerd.test", factory: { _ in handler }), captured)
    }

    func testEachLevelGetsItsSyslogPriority() {
        let (logger, captured) = logger()
        logger.trace("t")
        logger.debug("d")
        logger.info("i")
        logger.notice("n")
        logger.warning("w")
        logger.error("e")
        logger.critical("c")
        XCTAssertEqual(captured.all, ["<7>t", "<7>d", "<6>i", "<5>n", "<4>w", "<3>e", "<2>c"])
    }

    func testMessagesBelowTheLevelAreNotWritten() {
        let (logger, captured) = logger(level: .info)
        logger.debug("too chatty")
        logger.info("kept")
        XCTAssertEqual(captured.all, ["<6>kept"])
    }

    func testMetadataFollowsTheMessageSortedByKey() {
        var (logger, captured) = logger()
        logger[metadataKey: "board"] = "3"
        logger[metadataKey: "compartment"] = "A07"
        logger.warning("latch did not open", metadata: ["attempt": "2", "compartment": "A08"])
        // The call site's value wins over the logger's for the same key.
        XCTAssertEqual(captured.all, ["<4>latch did not open attempt=2 board=3 compartment=A08"])
    }

    func testTheMetadataProviderIsMergedBetweenLoggerAndCallSite() {
        let provider = Logger.MetadataProvider { ["request": "r-17", "board": "provider"] }
        var (logger, captured) = logger(provider: provider)
        logger[metadataKey: "board"] = "logger"
        logger[metadataKey: "zone"] = "chilled"
        logger.info("hello", metadata: ["zone": "frozen"])
        XCTAssertEqual(captured.all, ["<6>hello board=provider request=r-17 zone=frozen"])
    }

    func testValuesThatWouldBreakParsingAreQuotedAndEscaped() {
        let (logger, captured) = logger()
        logger.info("m", metadata: [
            "a.space": "two words",
            "b.quote": #"say "hi""#,
            "c.equals": "k=v",
            "d.backslash": #"C:\dir"#,
            "e.newline": "line one\nline two",
            "f.empty": "",
            "g.plain": "A07-ok",
            "h.list": .array(["x", "y"]),
        ])
        XCTAssertEqual(captured.all, [
            #"<6>m a.space="two words" b.quote="say \"hi\"" c.equals="k=v" d.backslash="C:\\dir" "#
                + #"e.newline="line one\nline two" f.empty="" g.plain=A07-ok h.list="[\"x\", \"y\"]""#,
        ])
    }

    func testANewlineInTheMessageDoesNotStartASecondJournalEntry() {
        let (logger, captured) = logger()
        logger.error("first line\nsecond line\r\nthird", metadata: ["k": "v"])
        XCTAssertEqual(captured.all, [#"<3>first line\nsecond line\r\nthird k=v"#])
        XCTAssertFalse(captured.all[0].contains("\n"))
    }

    func testKeysCannotInjectFields() {
        let (logger, captured) = logger()
        logger.info("m", metadata: ["bad key=x": "1"])
        XCTAssertEqual(captured.all, ["<6>m bad_key_x=1"])
    }

    func testAnErrorIsLoggedAsMetadata() {
        struct BusTimeout: Error, CustomStringConvertible { var description: String { "board 2 timed out" } }
        let (logger, captured) = logger()
        logger.error("bus", error: BusTimeout())
        XCTAssertEqual(captured.all.count, 1)
        XCTAssertTrue(captured.all[0].hasPrefix(#"<3>bus error.message="board 2 timed out" error.type="#), captured.all[0])
    }

    func testTheDefaultWriterGoesToStandardErrorWithANewline() throws {
        // Swap fd 2 for a pipe for the duration of one write, then read back what arrived.
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        let savedStandardError = dup(2)
        XCTAssertGreaterThanOrEqual(savedStandardError, 0)
        dup2(ends[1], 2)
        JournaldLogHandler.writeToStandardError("<6>to the journal")
        dup2(savedStandardError, 2)
        close(savedStandardError)
        close(ends[1])
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(ends[0], &buffer, buffer.count)
        close(ends[0])
        XCTAssertEqual(String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self), "<6>to the journal\n")
    }
}
