/// `diag`: where the daemon wrote the bundle, and what it found while writing it.
public struct DiagnosticsReport: Sendable, Codable, Equatable {
    /// A directory the daemon created (under its state directory) with one file per part.
    public var path: String
    public var files: [String]
    /// "ok" or what `quick_check` and the audit chain check reported.
    public var integrity: String

    public init(path: String, files: [String], integrity: String) {
        self.path = path
        self.files = files
        self.integrity = integrity
    }
}
