import Foundation
import GRDB
import LockerSystem

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
        guard let file = try? FileDescriptor.open(temporary, .writeOnly, options: [.create, .truncate], permissions: 0o600) else {
            return
        }
        let bytes = Array((identity + "\n").utf8)
        let written = try? file.writeAll(bytes)
        let synced = (try? file.sync()) != nil
        file.close()
        // A record that cannot be written costs only the check; it never stops the cabinet.
        guard written == bytes.count, synced, (try? FileSystemCalls.rename(temporary, to: record)) != nil else {
            FileSystemCalls.removeIfPresent(temporary)
            return
        }
        let directory = (path as NSString).deletingLastPathComponent
        try? FileSystemCalls.syncDirectory(directory.isEmpty ? "." : directory)
    }
}
