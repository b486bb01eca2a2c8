/// `diag`: where the daemon wrote the bundle, what it found while writing it, and the bundle
/// itself (the state directory is lockerd's alone, so a technician who is not root gets the
/// files through the socket; lockerctl writes them to a directory of their own).
public struct DiagnosticsReport: Sendable, Codable, Equatable {
    /// A directory the daemon created (under its state directory) with one file per part.
    public var path: String
    public var files: [String]
    /// "ok" or what `quick_check` and the audit chain check reported.
    public var integrity: String
    /// File name → text, the same files as in `path`.
    public var contents: [String: String]?

    public init(path: String, files: [String], integrity: String, contents: [String: String]? = nil) {
        self.path = path
        self.files = files
        self.integrity = integrity
        self.contents = contents
    }
}
