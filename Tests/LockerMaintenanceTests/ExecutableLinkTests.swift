import Foundation
import LockerTestSupport
import Testing

/// The executables are linked as Package.swift's `leanLink` says, in every build: by lld with the
/// relative relocations packed (a RELR table instead of ~136,000 RELA entries that every start
/// has to apply and that stay resident), and without the ~46,000 exported symbols. A toolchain or
/// a flag that silently stops doing either would bring back ~7 MB of resident memory per process.
/// Read with `readelf` (binutils, see the Makefile's packages).
struct ExecutableLinkTests {
    static func readelf(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["readelf"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "readelf \(arguments.joined(separator: " ")) failed")
        return String(decoding: data, as: UTF8.self)
    }

    @Test(arguments: ["lockerd", "lockerctl"])
    func relativeRelocationsArePackedAndFewSymbolsExported(_ name: String) throws {
        let binary = LockerdProcess.binary.deletingLastPathComponent().appendingPathComponent(name).path
        let dynamic = try Self.readelf(["-d", "-W", binary])
        #expect(dynamic.contains("(RELR)"), "no RELR table: the relative relocations are not packed")
        #expect(!dynamic.contains("(RELACOUNT)") || Self.relativeCount(in: dynamic) < 1_000)
        let comment = try Self.readelf(["-p", ".comment", binary])
        #expect(comment.contains("LLD"), "not linked by lld")
        // Symbols the executable defines and exports (imports from shared libraries are "UND"):
        // a handful, not every Swift symbol of the program (~46,000).
        let symbols = try Self.readelf(["--dyn-syms", "-W", binary]).split(separator: "\n").map { $0.split(separator: " ") }
        let exported = symbols.filter { fields in fields.count >= 8 && fields[0].hasSuffix(":") && fields[6] != "UND" }.count
        #expect(exported < 1_000, "\(exported) exported symbols: every symbol is exported again")
    }

    /// lockerctl stays on FoundationEssentials: Foundation would bring ICU's data (about 30 MB)
    /// into the static release binary. The debug build links Foundation's libraries dynamically,
    /// so what it needs shows as NEEDED entries.
    @Test func lockerctlNeedsNeitherFoundationNorICU() throws {
        let binary = LockerdProcess.binary.deletingLastPathComponent().appendingPathComponent("lockerctl").path
        let needed = try Self.readelf(["-d", "-W", binary]).split(separator: "\n").filter { $0.contains("(NEEDED)") }
        #expect(!needed.isEmpty)
        let foundation = needed.filter { $0.contains("[libFoundation.so]") || $0.contains("Internationalization") || $0.contains("ICU") }
        #expect(foundation.isEmpty, "lockerctl links \(foundation)")
    }

    /// RELACOUNT: the relative relocations left in RELA form.
    static func relativeCount(in dynamic: String) -> Int {
        for line in dynamic.split(separator: "\n") where line.contains("(RELACOUNT)") {
            if let value = line.split(separator: " ").last.flatMap({ Int($0) }) { return value }
        }
        return 0
    }
}
