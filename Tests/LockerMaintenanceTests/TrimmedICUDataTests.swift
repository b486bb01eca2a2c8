import Foundation
import Testing

/// lockerd's release link takes a copy of ICU's data trimmed to what lockerd uses
/// (`systemd/packaging/trim-icu-data`, Makefile `RELEASE_BUILD`): 3 MB instead of 34. The test
/// builds link Foundation's shared libraries, with the full data, so they never meet the copy.
/// This test does what the release link does to a program of its own (`ICUProbe/main.swift`,
/// compiled with LockerReports' sources and `UplinkRetryAfter.swift`, the code that calls ICU):
/// links it with the Swift runtime static twice, with the toolchain's data and with the trimmed
/// copy, and runs both. Every time zone ICU knows, its offsets and changes, the Gregorian calendar
/// in it, report times and HTTP dates must come out the same. A new kind of ICU call in lockerd
/// (a formatter in another locale, collation) belongs in the probe.
struct TrimmedICUDataTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in directory: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "TZ": "UTC"]
        // Errors to a file: a chatty compiler must not fill a pipe nobody reads while we read the other.
        let errorFile = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw ProbeError("\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(stderr.suffix(2_000))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The toolchain whose `swiftc` is on PATH (the one building these tests).
    static func toolchainBin() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("swiftc")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate.resolvingSymlinksInPath().deletingLastPathComponent()
            }
        }
        throw ProbeError("no swiftc on PATH (\(path))")
    }

    @Test func theTrimmedDataAnswersLockerdsCallsAsTheFullDataDoes() throws {
        let bin = try Self.toolchainBin()
        let archive = bin.appendingPathComponent("../lib/swift_static/linux/lib_FoundationICU.a").standardizedFileURL
        #expect(FileManager.default.fileExists(atPath: archive.path), "the toolchain has no static Foundation ICU at \(archive.path)")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("icu-probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        let trimmer = Self.repository.appendingPathComponent("systemd/packaging/trim-icu-data").path
        let report = try Self.run("/usr/bin/python3", [trimmer, archive.path, "icudata-trimmed.o", "--cc", bin.appendingPathComponent("clang").path], in: work)
        #expect(report.contains("icudt"), "trim-icu-data said: \(report)")

        let sources = try FileManager.default.contentsOfDirectory(atPath: Self.repository.appendingPathComponent("Sources/LockerReports").path)
            .filter { $0.hasSuffix(".swift") }.sorted().map { "Sources/LockerReports/" + $0 }
            + ["Sources/LockerUplink/UplinkRetryAfter.swift", "Tests/LockerMaintenanceTests/ICUProbe/main.swift"]
        let swiftc = bin.appendingPathComponent("swiftc").path
        try Self.run(swiftc, ["-static-stdlib", "-c", "-wmo", "-suppress-warnings", "-module-name", "ICUProbe", "-o", work.appendingPathComponent("probe.o").path]
                     + sources.map { Self.repository.appendingPathComponent($0).path }, in: work)
        try Self.run(swiftc, ["-static-stdlib", "probe.o", "-o", "probe-full"], in: work)
        try Self.run(swiftc, ["-static-stdlib", "probe.o", "icudata-trimmed.o", "-o", "probe-trimmed"], in: work)

        // The copy was linked, not the toolchain's data beside it (that would be a duplicate symbol,
        // or the full data again): the program is some 30 MB smaller.
        let size = { (name: String) in (try? FileManager.default.attributesOfItem(atPath: work.appendingPathComponent(name).path)[.size] as? Int) ?? 0 }
        #expect(size("probe-full") - size("probe-trimmed") > 25_000_000, "full \(size("probe-full")) B, trimmed \(size("probe-trimmed")) B")

        let full = try Self.run(work.appendingPathComponent("probe-full").path, [], in: work)
        let trimmed = try Self.run(work.appendingPathComponent("probe-trimmed").path, [], in: work)
        let fullLines = full.split(separator: "\n"), trimmedLines = trimmed.split(separator: "\n")
        #expect(fullLines.count > 400, "the probe saw \(fullLines.count) lines: ICU's zones were not listed")
        let differences = zip(fullLines, trimmedLines).filter { $0 != $1 }.prefix(5).map { "full: \($0)\ntrimmed: \($1)" }
        #expect(differences.isEmpty && fullLines.count == trimmedLines.count,
                "the trimmed data answers differently (\(trimmedLines.count) lines against \(fullLines.count)):\n\(differences.joined(separator: "\n"))")
        // And the answers are the world's: Berlin is an hour ahead of UTC in January and two in
        // July; an HTTP date eight minutes after `now` is 480 s away.
        #expect(trimmed.contains("Europe/Berlin Europe/Berlin 3600 7200 7200 "))
        #expect(trimmed.contains("Retry-After Wed, 21 Oct 2015 07:28:00 GMT 480.0\n"))
        #expect(trimmed.contains("Not/AZone unknown\n"))
    }
}

struct ProbeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
