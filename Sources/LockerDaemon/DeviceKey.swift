public import Foundation
import LockerSystem

/// The device secret that keys pickup-code hashes. It lives in its own file (mode 0600), outside
/// the database, so a copy of the database alone does not let anyone test codes offline.
public enum DeviceKey {
    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads the key, creating it on first start.
    ///
    /// Power-loss reasoning for creation: the key is written to a temporary file, fsynced, then
    /// linked into place with `link` (fails if another exists) and the directory fsynced. A crash
    /// before the link leaves no key (a new one is made next time: no code was issued yet with it);
    /// after the link the complete key is there. A key is never replaced once present.
    public static func loadOrCreate(at url: URL) throws -> [UInt8] {
        if let key = try read(url) { return key }
        return try create(at: url)
    }

    /// The key when the file exists (nil when it does not): lockerd decides whether a missing key
    /// may be made anew (no code issued yet) or must be refused (codes in custody depend on it).
    public static func existing(at url: URL) throws -> [UInt8]? {
        try read(url)
    }

    /// 32 random bytes, not yet written anywhere.
    public static func generate() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        return bytes
    }

    /// Makes a new key where none exists (see `loadOrCreate` for the power-loss reasoning).
    public static func create(at url: URL) throws -> [UInt8] {
        try install(generate(), at: url)
    }

    /// Writes `bytes` as the key where none exists; returns the key on disk afterwards.
    @discardableResult
    public static func install(_ bytes: [UInt8], at url: URL) throws -> [UInt8] {
        let temporary = url.path + ".new"
        // A temporary file left by a crash before the link: never linked, so never a key.
        FileSystemCalls.removeIfPresent(temporary)
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(temporary, .writeOnly, options: [.create, .exclusive], permissions: 0o600)
        } catch {
            throw Error(description: "cannot create device key \(temporary): \(error.message)")
        }
        do {
            let written = try file.writeAll(bytes)
            guard written == bytes.count else {
                file.close()
                FileSystemCalls.removeIfPresent(temporary)
                throw Error(description: "cannot write device key \(temporary): only \(written) of \(bytes.count) bytes were written")
            }
            // On the disk before it gets its name: a power cut after the link finds the whole key.
            try file.sync()
            file.close()
        } catch let error as SystemCallError {
            file.close()
            FileSystemCalls.removeIfPresent(temporary)
            throw Error(description: "cannot write device key \(temporary): \(error.message)")
        }
        do {
            try FileSystemCalls.link(temporary, to: url.path)
        } catch where error.code != SystemErrno.exists {
            // EEXIST: another key is already in place (a second start racing this one); it is
            // kept, and read below, because a key is never replaced.
            FileSystemCalls.removeIfPresent(temporary)
            throw Error(description: "cannot install device key \(url.path): \(error.message)")
        } catch {}
        FileSystemCalls.removeIfPresent(temporary)
        // The link is durable only once the directory is: a cut before this may lose the name
        // (a new key next start, as no code was issued with this one yet).
        try? FileSystemCalls.syncDirectory(url.deletingLastPathComponent().path)
        guard let key = try read(url) else { throw Error(description: "device key \(url.path) vanished after creation") }
        return key
    }

    private static func read(_ url: URL) throws -> [UInt8]? {
        let info: FileStatus
        do {
            info = try FileSystemCalls.status(of: url.path)
        } catch {
            if error.code == SystemErrno.noSuchFile { return nil }
            throw Error(description: "cannot stat device key \(url.path): \(error.message)")
        }
        if info.permissions & 0o077 != 0 {
            throw Error(description: "device key \(url.path) is readable by group or others (mode \(String(info.permissions & 0o777, radix: 8))); run chmod 600 on it")
        }
        let data = try Data(contentsOf: url)
        guard data.count == 32 else {
            throw Error(description: "device key \(url.path) has \(data.count) bytes, expected 32: refusing to guess (pickup codes already issued depend on it)")
        }
        return Array(data)
    }
}
