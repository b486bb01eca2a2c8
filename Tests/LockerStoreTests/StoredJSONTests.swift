import Foundation
import LockerCore
@testable import LockerStore
import LockerTestSupport
import Testing

/// The store writes payloads and pending operations without `JSONEncoder` on the pickup's path;
/// the text must stay byte for byte what the encoder writes (payloads are hashed into the chain
/// as stored, and the server checks that hash), so both are compared on random values.
@Suite struct StoredJSONTests {
    static let keyAlphabet = Array("abcdeAZ_09")
    /// Every kind of character the escaping treats apart, and some it must leave alone.
    static let textAlphabet: [Character] = Array("aZ09 _-/\\\"'<>&é€😀\u{7f}\u{2028}\u{0}\u{1}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{1b}\u{1f}")

    static func text(_ alphabet: [Character], maxLength: Int, using random: inout SplitMix64) -> String {
        String((0..<Int.random(in: 0...maxLength, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
    }

    static func value(using random: inout SplitMix64) -> EventValue {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return .string(text(textAlphabet, maxLength: 12, using: &random))
        case 1: return .int([Int64.min, Int64.max, 0, -1, Int64.random(in: -1_000_000...1_000_000, using: &random)].randomElement(using: &random)!)
        case 2: return .bool(Bool.random(using: &random))
        case 3: return .strings((0..<Int.random(in: 0...3, using: &random)).map { _ in text(textAlphabet, maxLength: 6, using: &random) })
        case 4: return .ints((0..<Int.random(in: 0...3, using: &random)).map { _ in Int64.random(in: Int64.min...Int64.max, using: &random) })
        default: return .double([0.1, 1, 1e15, 1e16, -0.0, 12.5, 1e-7].randomElement(using: &random)!)
        }
    }

    static func encoded<T: Encodable>(_ value: T, sorted: Bool) throws -> String {
        let encoder = JSONEncoder()
        if sorted { encoder.outputFormatting = [.sortedKeys] }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func payloadsAreWhatTheEncoderWrites() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SplitMix64(seed: seed)
        var withoutDouble = 0
        for round in 0..<3_000 {
            var payload: [String: EventValue] = [:]
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                payload[Self.text(Self.keyAlphabet, maxLength: 5, using: &random)] = Self.value(using: &random)
            }
            if !payload.values.contains(where: { if case .double = $0 { true } else { false } }) { withoutDouble += 1 }
            let expected = try Self.encoded(payload, sorted: true)
            let written = try StoredJSON.payload(payload)
            #expect(written == expected, "seed \(seed), round \(round): \(payload)")
            if written != expected { return }
        }
        // The written path, not only the encoder's fallback, was compared.
        #expect(withoutDouble > 500)
    }

    /// The same JSON object, whatever the order of its keys.
    static func sameObject(_ first: String, _ second: String) throws -> Bool {
        let parse = { (text: String) in try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary }
        return try parse(first) == parse(second)
    }

    /// A pending operation is read back, never hashed, and the encoder's own key order for it
    /// changes from one value to the next: the same object, read back as the same operation.
    @Test func aPickupsPendingOperationIsWhatTheEncoderWrites() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SplitMix64(seed: seed)
        for _ in 0..<500 {
            let operation = PendingOperation.pickup(
                parcelIDs: (0..<Int.random(in: 0...4, using: &random)).map { _ in Int64.random(in: 1...Int64.max, using: &random) },
                codeHash: Self.text(Self.textAlphabet, maxLength: 70, using: &random))
            let written = try StoredJSON.pendingOperation(operation)
            #expect(try JSONDecoder().decode(PendingOperation.self, from: Data(written.utf8)) == operation, "seed \(seed): \(written)")
            #expect(try Self.sameObject(written, Self.encoded(operation, sorted: false)), "seed \(seed): \(written)")
        }
        let retrieval = PendingOperation.retrieval(parcelIDs: [3], courierID: "c/1", batchStartedAt: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(try Self.sameObject(StoredJSON.pendingOperation(retrieval), Self.encoded(retrieval, sorted: false)))
    }
}
