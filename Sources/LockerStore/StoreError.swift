/// Why the store refused to open or to write, in words a technician can act on.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsafePragma(name: String, expected: String, found: String)
    case integrityCheckFailed(path: String, detail: String)
    /// SQLite itself says the file is damaged or is no database at all.
    case corrupt(path: String, detail: String)
    case layoutConflict(String)
    case noSuchCompartment(Int)
    case invariantViolated(String)
    /// The database (or the WAL SQLite would replay into it) is not the one this state directory
    /// recorded: another database's files were put here.
    case foreignDatabase(path: String, recorded: String, found: String)

    /// The database file cannot be trusted (it must be moved aside, never written over).
    public var isCorruption: Bool {
        switch self {
        case .integrityCheckFailed, .corrupt, .foreignDatabase: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .unsafePragma(let name, let expected, let found):
            return "database PRAGMA \(name) is \(found), expected \(expected): refusing to run without durable commits"
        case .integrityCheckFailed(let path, let detail):
            return "database \(path) failed its integrity check: \(detail)"
        case .corrupt(let path, let detail):
            return "database \(path) is damaged: \(detail)"
        case .layoutConflict(let detail):
            return "cabinet layout does not match the stored custody data: \(detail)"
        case .noSuchCompartment(let id):
            return "no compartment with id \(id) in the store"
        case .invariantViolated(let detail):
            return "refused by the store's invariants: \(detail)"
        case .foreignDatabase(let path, let recorded, let found):
            return "database \(path) (with its WAL) reads as database \(found), but this state directory recorded \(recorded): "
                + "another database's file or WAL was put here"
        }
    }
}
