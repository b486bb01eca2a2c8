import Foundation
import LockerWire
import Testing

/// Which way a vector travels: `request` from the controller to a board, `reply` back.
enum VectorDirection: String, Sendable, CaseIterable {
    case request
    case reply
}

/// One line of a vector table in `firmware-protocol/vectors/`.
struct WireVector: Sendable, CustomTestStringConvertible {
    var file: String
    var line: Int
    var name: String
    var direction: VectorDirection
    var bytes: [UInt8]
    var meaning: String

    var testDescription: String { "\(name) (\(HexBytes.format(bytes)))" }
}

struct VectorFileError: Error, CustomStringConvertible {
    var description: String
}

/// Loads the vector tables shared with the firmware. Format (also in each table's header):
/// `#` comment lines, blank lines, and `NAME | DIRECTION | HEX BYTES | MEANING` lines.
enum VectorFile {
    /// `firmware-protocol/vectors/` of this package, found from this source file's own path
    /// (`Tests/LockerWireTests/VectorFile.swift`), so tests run from any working directory.
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // LockerWireTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("firmware-protocol")
        .appendingPathComponent("vectors")

    static func load(_ fileName: String) throws -> [WireVector] {
        let url = directory.appendingPathComponent(fileName)
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw VectorFileError(description: "cannot read vector table \(fileName): \(error)")
        }
        return try parse(text, file: fileName)
    }

    /// For `@Test(arguments:)`, which cannot throw: the vectors, or none when the table cannot
    /// be loaded. Each suite also has a test that loads the table with `load` and fails with the
    /// reason, so an unreadable table never passes silently.
    static func vectorsOrNone(_ fileName: String) -> [WireVector] {
        (try? load(fileName)) ?? []
    }

    static func parse(_ text: String, file: String) throws -> [WireVector] {
        var vectors: [WireVector] = []
        var names: Set<String> = []
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = index + 1
            let content = rawLine.trimmingCharacters(in: .whitespaces)
            if content.isEmpty || content.hasPrefix("#") { continue }
            func failure(_ problem: String) -> VectorFileError {
                VectorFileError(description: "\(file):\(line): \(problem): \(content)")
            }
            let fields = content.split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 4 else {
                throw failure("expected NAME | DIRECTION | HEX BYTES | MEANING, found \(fields.count) fields")
            }
            let name = fields[0]
            guard !name.isEmpty, name.allSatisfy({ $0 == "-" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
                throw failure("NAME must be letters, digits and '-'")
            }
            guard names.insert(name).inserted else { throw failure("NAME \(name) appears twice") }
            guard let direction = VectorDirection(rawValue: fields[1]) else {
                throw failure("DIRECTION must be request or reply")
            }
            guard let bytes = HexBytes.parse(fields[2]), !bytes.isEmpty else {
                throw failure("HEX BYTES must be two-digit hex bytes separated by spaces")
            }
            guard !fields[3].isEmpty else { throw failure("MEANING is empty") }
            vectors.append(
                WireVector(file: file, line: line, name: name, direction: direction, bytes: bytes, meaning: fields[3])
            )
        }
        return vectors
    }
}

@Suite("Vector tables")
struct VectorFileTests {
    @Test func parsesLinesAndSkipsComments() throws {
        let text = """
            # a comment
               
            first | request | 02 00 31 03 36 | unlock board 0 lock 1
              # an indented comment
            second-2 |reply|  8a 01 00 11 9a  | open-all reply
            """
        let vectors = try VectorFile.parse(text, file: "inline")
        #expect(vectors.map(\.name) == ["first", "second-2"])
        #expect(vectors.map(\.line) == [3, 5])
        #expect(vectors.map(\.direction) == [.request, .reply])
        #expect(vectors[1].bytes == [0x8A, 0x01, 0x00, 0x11, 0x9A])
        #expect(vectors[1].meaning == "open-all reply")
    }

    @Test(arguments: [
        "a | request | 02 00 | x | extra",
        "a | sideways | 02 00 | x",
        "a | request | 2 00 | x",
        "a | request | 02 0G | x",
        "a | request |  | x",
        "a b | request | 02 | x",
        "a | request | 02 | ",
        "a | request | 02 | x\na | reply | 02 | y",
    ])
    func rejectsMalformedLines(text: String) {
        #expect(throws: VectorFileError.self) { try VectorFile.parse(text, file: "inline") }
    }

    @Test func namesTheLineOfAnError() {
        do {
            _ = try VectorFile.parse("# header\nok | request | 02 | x\nbad | request | 0x02 | y", file: "t.txt")
            Issue.record("a malformed line was accepted")
        } catch {
            #expect(String(describing: error).hasPrefix("t.txt:3: "))
        }
    }

    @Test func hexBytesRoundTrip() {
        #expect(HexBytes.parse("02 0f 31\t03 45") == [0x02, 0x0F, 0x31, 0x03, 0x45])
        #expect(HexBytes.format([0x02, 0x0F, 0x31, 0x03, 0x45]) == "02 0F 31 03 45")
        #expect(HexBytes.parse("") == [])
        #expect(HexBytes.parse("020F") == nil)
        #expect(HexBytes.preview(Array(repeating: UInt8(0xAB), count: 18), limit: 2) == "AB AB ... (16 more)")
    }

    @Test func checksums() {
        #expect(WireChecksum.sum8([0x02, 0xF0, 0x32, 0x03]) == 0x27)
        #expect(WireChecksum.xor8([0x8A, 0x01, 0x00, 0x11]) == 0x9A)
        #expect(WireChecksum.sum8([]) == 0 && WireChecksum.xor8([]) == 0)
    }
}
