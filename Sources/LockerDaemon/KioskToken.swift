import LockerSystem

/// The kiosk's secret for this start: 32 random bytes in hex, written mode 0600 for the kiosk
/// unit to read (systemd hands it over as a credential). A new one each start, so a token that
/// leaked stops working at the next restart; the kiosk unit is restarted with lockerd.
enum KioskToken {
    struct WriteError: Error, CustomStringConvertible {
        var description: String
    }

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }.joined()
    }

    /// Writes `token` to `path`: a new file made 0600 from the start (never readable by others, not
    /// even for a moment), then renamed over the last start's.
    static func write(_ token: String, to path: String) throws {
        let temporary = path + ".new"
        FileSystemCalls.removeIfPresent(temporary)
        let bytes = Array((token + "\n").utf8)
        let problem: String?
        do {
            let file = try FileDescriptor.open(temporary, .writeOnly, options: [.create, .exclusive], permissions: 0o600)
            defer { file.close() }
            problem = try file.writeAll(bytes) == bytes.count ? nil : "a short write"
            if problem == nil { try FileSystemCalls.rename(temporary, to: path) }
        } catch {
            FileSystemCalls.removeIfPresent(temporary)
            throw WriteError(description: "cannot write the kiosk token \(path): \(error.message)")
        }
        if let problem {
            FileSystemCalls.removeIfPresent(temporary)
            throw WriteError(description: "cannot write the kiosk token \(path): \(problem)")
        }
    }

    /// Compares in time that does not depend on where the first difference is.
    static func matches(_ candidate: Substring, _ token: String) -> Bool {
        let a = Array(candidate.utf8), b = Array(token.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
