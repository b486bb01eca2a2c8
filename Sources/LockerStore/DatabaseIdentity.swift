import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// The database's identity (`meta.identity`) and its side record beside the file
/// (`lockerd.sqlite.identity`). SQLite replays any valid WAL found next to a database, whoever
/// wrote it; comparing what the database reads as (WAL included) with the side record catches a
/// stray WAL, or a database file swapped in, before anything is written.
enum DatabaseIdentity {
    static func recordPath(of path: String) -> String { path + ".identity" }

    static func recorded(for path: String) -> String? {
        guard let text = try? String(contentsOfFile: recordPath(of: path), encoding: .utf8) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Before the store opens for writing: a read-only look at what the database (with its WAL)
    /// says it is. Read-only connections never checkpoint, so a stray WAL is not written into the
    /// file by looking; a mismatch throws `foreignDatabase` and the caller moves all of it aside.
    static func checkBeforeOpening(path: String) throws {
        guard let recorded = recorded(for: path), FileManager.default.fileExists(atPath: path) else { return }
        var configuration = Configuration()
        configuration.readonly = true
        let found: String?
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            found = try queue.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'identity'") }
            try queue.close()
        } catch {
            // Unreadable: the full open that follows says why (damage, not a database...).
            return
        }
        // A database from before identities has none yet: nothing to compare.
        guard let found, found != recorded else { return }
        throw StoreError.foreignDatabase(path: path, recorded: recorded, found: found)
    }

    /// After migrating: the side record is written when missing, and must match when present.
    /// Power failure: written to a temporary file, fsynced, renamed over, directory fsynced; a cut
    /// before the rename leaves no record (written again next start), after it the whole record.
    static func checkOrRecord(_ identity: String, path: String) throws {
        if let recorded = recorded(for: path) {
            guard recorded == identity else { throw StoreError.foreignDatabase(path: path, recorded: recorded, found: identity) }
            return
        }
        let record = recordPath(of: path)
        let temporary = record + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let bytes = Array((identity + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        // A record that cannot be written costs only the check; it never stops the cabinet.
        guard written == bytes.count, synced == 0, rename(temporary, record) == 0 else {
            unlink(temporary)
            return
        }
        let directory = open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent,
                             O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 { fsync(directory); close(directory) }
    }
}
