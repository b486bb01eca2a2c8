/// Why the store refused to open or to write, in words a technician can act on.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsafePragma(name: String, expected: String, found: String)
    case integrityCheckFailed(path: String, detail: String)
    /// SQLite itself says the file is damaged or is no database at all.
    case corrupt(path: String, detail: String)
    case layoutConflict(String)
    case noSuchCompartment(Int)
    case invariantViolated(String)

    /// The database file cannot be trusted (it must be moved aside, never written over).
    public var isCorruption: Bool {
        switch self {
        case .integrityCheckFailed, .corrupt: return true
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
        }
    }
}
