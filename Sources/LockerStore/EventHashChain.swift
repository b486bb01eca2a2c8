import Crypto
import Foundation
import GRDB

/// The hash chain over the custody events: each event's hash covers the previous event's hash and
/// every field of its own, as SHA-256 over a canonical text (one field per line, in this order:
/// previous hash, sequence, epoch, kind, wall-clock seconds, monotonic nanoseconds, compartment id
/// or empty, parcel id or empty, payload JSON). The central server can recompute it from the
/// uploaded events.
public enum EventHashChain {
    /// The "previous hash" of the very first event.
    public static let genesis = String(repeating: "0", count: 64)

    /// The text forms of the two time fields exactly as the hash covers them (the uplink sends
    /// these strings so a server in any language recomputes the same hash).
    public static func hashedTexts(occurredAt: Double, monotonicNanoseconds: Int64) -> (occurredAt: String, monotonicNanoseconds: String) {
        (String(occurredAt), String(monotonicNanoseconds))
    }

    public static func hash(
        previous: String, sequence: Int64, epoch: String, kind: String, occurredAt: Double, monotonicNanoseconds: Int64,
        compartmentID: Int?, parcelID: Int64?, payload: String
    ) -> String {
        hash(previous: previous, sequence: sequence, epoch: epoch, kind: kind,
             hashedTexts: hashedTexts(occurredAt: occurredAt, monotonicNanoseconds: monotonicNanoseconds),
             compartmentID: compartmentID, parcelID: parcelID, payload: payload)
    }

    /// The hash from the text forms (what a server computes from an uploaded event).
    public static func hash(
        previous: String, sequence: Int64, epoch: String, kind: String, hashedTexts: (occurredAt: String, monotonicNanoseconds: String),
        compartmentID: Int?, parcelID: Int64?, payload: String
    ) -> String {
        // The fields' UTF-8 joined by newlines, fed to the hash one field at a time: the same bytes
        // as hashing the joined text, without building it and copying it into a `Data` first
        // (each custody commit hashes its events before the door opens).
        var hasher = SHA256()
        let fields = [
            previous, String(sequence), epoch, kind, hashedTexts.occurredAt, hashedTexts.monotonicNanoseconds,
            compartmentID.map(String.init) ?? "", parcelID.map(String.init) ?? "", payload,
        ]
        for (index, field) in fields.enumerated() {
            if index > 0 { withUnsafeBytes(of: UInt8(ascii: "\n")) { hasher.update(bufferPointer: $0) } }
            var field = field
            field.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return hex(hasher.finalize())
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex, two digits a byte, built in one buffer: reports rehash the whole record,
    /// and a string per byte made that the slowest part of a month's report.
    static func hex(_ digest: SHA256.Digest) -> String {
        var digits: [UInt8] = []
        digits.reserveCapacity(SHA256.Digest.byteCount * 2)
        for byte in digest {
            digits.append(hexDigits[Int(byte >> 4)])
            digits.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: digits, as: UTF8.self)
    }

    static func hash(previous: String, row: Row) -> String {
        hash(previous: previous, sequence: row["sequence"], epoch: row["epoch"], kind: row["kind"],
             occurredAt: row["occurred_at"], monotonicNanoseconds: row["monotonic_ns"],
             compartmentID: row["compartment_id"], parcelID: row["parcel_id"], payload: row["payload"])
    }
}
