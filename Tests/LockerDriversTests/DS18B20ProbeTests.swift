#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LockerDrivers
import LockerHAL
import Testing

/// The w1_slave format, judged line by line, and a probe reading a directory laid out like sysfs.
@Suite struct DS18B20ProbeTests {
    /// A w1_slave file as the kernel writes it; the bytes are real scratchpads with their CRCs.
    static func w1Slave(_ scratchpad: String, crc verdict: String = "YES", milliCelsius: Int) -> String {
        "\(scratchpad) : crc=\(scratchpad.suffix(2)) \(verdict)\n\(scratchpad) t=\(milliCelsius)\n"
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("w1-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func lay(_ contents: String, forDevice id: String, under base: String) throws {
        try FileManager.default.createDirectory(atPath: "\(base)/\(id)", withIntermediateDirectories: true)
        try contents.write(toFile: "\(base)/\(id)/w1_slave", atomically: true, encoding: .utf8)
    }

    // MARK: - Parsing

    @Test func aGoodReadingIsInDegreesCelsius() {
        #expect(DS18B20Probe.parse(w1Slave: Self.w1Slave("72 01 4b 46 7f ff 0e 10 57", milliCelsius: 23125)) == .celsius(23.125))
    }

    @Test func negativeAndZeroReadingsParse() {
        #expect(DS18B20Probe.parse(w1Slave: Self.w1Slave("ec ff 4b 46 7f ff 0c 10 82", milliCelsius: -1250)) == .celsius(-1.25))
        #expect(DS18B20Probe.parse(w1Slave: Self.w1Slave("d8 fe 4b 46 7f ff 0c 10 56", milliCelsius: -18500)) == .celsius(-18.5))
        #expect(DS18B20Probe.parse(w1Slave: Self.w1Slave("00 00 4b 46 7f ff 0c 10 c8", milliCelsius: 0)) == .celsius(0))
    }

    @Test func thePowerOnValueIsPassedOnForTheFaultDetectorToJudge() {
        #expect(DS18B20Probe.parse(w1Slave: Self.w1Slave("50 05 4b 46 7f ff 0c 10 1c", milliCelsius: 85000)) == .celsius(85.0))
    }

    @Test func aFailedCRCIsACRCFailureWhateverTheTemperatureLine() {
        let text = Self.w1Slave("72 01 4b 46 7f ff 0e 10 00", crc: "NO", milliCelsius: 23125)
        #expect(DS18B20Probe.parse(w1Slave: text) == .crcFailure)
        #expect(DS18B20Probe.parse(w1Slave: "ff ff ff ff ff ff ff ff ff : crc=c9 NO\nff ff ff ff ff ff ff ff ff t=-62\n") == .crcFailure)
    }

    @Test func windowsLineEndsAndTrailingBlankLinesAreTolerated() {
        let text = "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\r\n72 01 4b 46 7f ff 0e 10 57 t=23125\r\n\n"
        #expect(DS18B20Probe.parse(w1Slave: text) == .celsius(23.125))
    }

    @Test(arguments: [
        ("", "empty"),
        ("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n", "1 line"),
        ("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57\n", "no t="),
        ("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23.1\n", "not a whole number"),
        ("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=\n", "not a whole number"),
        ("72 01 4b 46 7f ff 0e 10 57 : crc=57 MAYBE\n72 01 4b 46 7f ff 0e 10 57 t=23125\n", "expected YES or NO"),
        ("hello\nworld\n", "no crc="),
        ("\u{0}\u{7f}garbage\n<html>\nmore\n", "3 lines"),
    ])
    func malformedContentIsMissingWithTheReason(text: String, reason: String) throws {
        guard case .missing(let detail) = DS18B20Probe.parse(w1Slave: text) else {
            Issue.record("\(text.debugDescription) was not judged missing")
            return
        }
        #expect(detail.contains(reason), "detail: \(detail)")
    }

    @Test func anAllZeroScratchpadIsNotTakenForZeroDegrees() throws {
        let text = "00 00 00 00 00 00 00 00 00 : crc=00 YES\n00 00 00 00 00 00 00 00 00 t=0\n"
        guard case .missing(let detail) = DS18B20Probe.parse(w1Slave: text) else {
            Issue.record("a shorted data line read as a temperature")
            return
        }
        #expect(detail.contains("all zeros"))
    }

    // MARK: - Reading a sysfs-like directory

    @Test func aProbeReadsItsFileAndReportsItMissingOnceItIsGone() async throws {
        let base = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let id = "28-0316a2791aff"
        try Self.lay(Self.w1Slave("72 01 4b 46 7f ff 0e 10 57", milliCelsius: 23125), forDevice: id, under: base)
        let probe = DS18B20Probe(name: "chilled cell A", deviceID: id, baseDirectory: base)
        #expect(probe.w1SlavePath == "\(base)/\(id)/w1_slave")

        #expect(await probe.read() == .celsius(23.125))
        try Self.lay(Self.w1Slave("ec ff 4b 46 7f ff 0c 10 82", milliCelsius: -1250), forDevice: id, under: base)
        #expect(await probe.read() == .celsius(-1.25), "each read reads the file again")

        try Self.lay("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n", forDevice: id, under: base)
        let truncated = await probe.read()
        guard case .missing(let truncatedDetail) = truncated else {
            Issue.record("a one-line file read as \(truncated)")
            return
        }
        #expect(truncatedDetail.contains(probe.w1SlavePath) && truncatedDetail.contains("1 line"), "detail: \(truncatedDetail)")

        try FileManager.default.removeItem(atPath: "\(base)/\(id)/w1_slave")
        let gone = await probe.read()
        guard case .missing(let goneDetail) = gone else {
            Issue.record("a removed file read as \(gone)")
            return
        }
        #expect(goneDetail.contains(probe.w1SlavePath), "detail: \(goneDetail)")
    }

    @Test func aProbeWhoseDirectoryIsMissingNamesThePath() async {
        let probe = DS18B20Probe(name: "frozen cell", deviceID: "28-000000000000", baseDirectory: "/nonexistent-w1-\(UUID().uuidString)")
        let sample = await probe.read()
        guard case .missing(let detail) = sample else {
            Issue.record("read as \(sample)")
            return
        }
        #expect(detail.contains(probe.w1SlavePath), "detail: \(detail)")
    }

    /// A FIFO stands in for a wedged bus: opening it for reading blocks until a writer comes.
    @Test func aReadThatHangsTimesOutAndIsNotStartedTwice() async throws {
        let base = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let id = "28-00000a0b0c0d"
        try FileManager.default.createDirectory(atPath: "\(base)/\(id)", withIntermediateDirectories: true)
        let fifo = "\(base)/\(id)/w1_slave"
        #expect(mkfifo(fifo, 0o600) == 0)
        let probe = DS18B20Probe(name: "heated cell", deviceID: id, baseDirectory: base, readTimeout: .milliseconds(200))

        let timedOut = await probe.read()
        guard case .missing(let timeoutDetail) = timedOut else {
            Issue.record("a hanging read gave \(timedOut)")
            return
        }
        #expect(timeoutDetail.contains(fifo) && timeoutDetail.contains("no answer within"), "detail: \(timeoutDetail)")

        let whileHung = await probe.read()
        guard case .missing(let hungDetail) = whileHung else {
            Issue.record("a second read while the first hangs gave \(whileHung)")
            return
        }
        #expect(hungDetail.contains("previous read has not returned"), "detail: \(hungDetail)")

        // Unwedge: a writer that opens and closes at once lets the blocked read see end of file.
        let writer = open(fifo, O_WRONLY | O_NONBLOCK)
        #expect(writer >= 0)
        close(writer)
        try FileManager.default.removeItem(atPath: fifo)
        try Self.lay(Self.w1Slave("00 00 4b 46 7f ff 0c 10 c8", milliCelsius: 0), forDevice: id, under: base)
        var sample = await probe.read()
        for _ in 0..<100 where sample != .celsius(0) {
            try await Task.sleep(for: .milliseconds(20))
            sample = await probe.read()
        }
        #expect(sample == .celsius(0), "reads work again once the hung one has returned")
    }

    // MARK: - Discovery

    @Test func discoveryListsOnlyDS18B20Devices() throws {
        let base = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        for entry in ["28-0316a2791aff", "w1_bus_master1", "28-00000a0b0c0d", "10-000802b4b2c1", "3b-0000001921e8"] {
            try FileManager.default.createDirectory(atPath: "\(base)/\(entry)", withIntermediateDirectories: true)
        }
        #expect(DS18B20Probe.discover(baseDirectory: base) == ["28-00000a0b0c0d", "28-0316a2791aff"])
        #expect(DS18B20Probe.discover(baseDirectory: base + "/absent").isEmpty)
    }
}
