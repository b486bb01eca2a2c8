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

    /// libmosquitto (with the libssl and libcrypto it brings, about 2 MB resident) is opened when
    /// the uplink makes its first MQTT client, not linked: a cabinet on HTTPS never maps it. The
    /// MQTT tests (a real broker on loopback) go through the opened library.
    @Test func lockerdOpensLibmosquittoOnlyWhenAnMQTTClientIsMade() throws {
        let needed = try Self.readelf(["-d", "-W", LockerdProcess.binary.path]).split(separator: "\n").filter { $0.contains("(NEEDED)") }
        #expect(needed.contains { $0.contains("[libsqlite3.so.0]") }, "lockerd's NEEDED entries were not read: \(needed)")
        let opened = needed.filter { $0.contains("mosquitto") || $0.contains("libssl") || $0.contains("libcrypto") }
        #expect(opened.isEmpty, "lockerd links \(opened) again")
    }

    /// Package.swift's `hotFirstLink`: the functions `Sources/lockerd/hot-functions.order` lists are
    /// placed first, in its order. The debug build compiles without `-function-sections`, so only
    /// the functions with a section of their own move (Swift gives one to each function visible
    /// outside its file): those must come in the file's order, where a link that ignored the file
    /// leaves them in the order of the object files (about half of the neighbours out of order).
    @Test func lockerdPlacesTheHotFunctionsFirstInTheListsOrder() throws {
        let list = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/lockerd/hot-functions.order").standardized, encoding: .utf8)
        let hot = list.split(separator: "\n").map(String.init)
        #expect(hot.count > 1_000, "the list has \(hot.count) names")
        // Global function symbols only: local ones (closures, specialisations) share a section.
        var addresses: [String: UInt64] = [:]
        for line in try Self.readelf(["-s", "-W", LockerdProcess.binary.path]).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 8, fields[3] == "FUNC", fields[4] == "GLOBAL", fields[6] != "UND",
                  let address = UInt64(fields[1], radix: 16), address != 0 else { continue }
            addresses[String(fields[7])] = address
        }
        let placed = hot.compactMap { addresses[$0] }
        #expect(placed.count > 500, "only \(placed.count) of the list's functions are global in the debug lockerd")
        let inOrder = zip(placed, placed.dropFirst()).filter { $0 < $1 }.count
        #expect(Double(inOrder) >= 0.95 * Double(placed.count - 1),
                "\(inOrder) of \(placed.count - 1) neighbours in the list's order: the link did not use it")
    }

    /// RELACOUNT: the relative relocations left in RELA form.
    static func relativeCount(in dynamic: String) -> Int {
        for line in dynamic.split(separator: "\n") where line.contains("(RELACOUNT)") {
            if let value = line.split(separator: " ").last.flatMap({ Int($0) }) { return value }
        }
        return 0
    }
}
