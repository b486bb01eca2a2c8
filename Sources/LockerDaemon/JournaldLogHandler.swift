import LockerSystem
public import Logging
import Synchronization

/// Writes each log message as one line on standard error in the form systemd reads from a service's
/// stderr: a `<N>` syslog priority prefix (sd-daemon(3)), the message, then ` key=value` metadata
/// sorted by key. journald takes the level from the prefix (so `journalctl -p warning` works) and
/// adds its own timestamp, unit and pid, which is why none of these appear here.
///
/// One log call must stay one journal entry: journald splits on newlines, so newlines in the message
/// or in metadata are written as `\n`.
public struct JournaldLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    /// Kept for the `LoggingSystem.bootstrap` signature; journald already names the unit.
    public let label: String
    private let write: @Sendable (String) -> Void

    /// - Parameter write: receives each finished line without its trailing newline.
    public init(
        label: String,
        level: Logger.Level = .info,
        write: @escaping @Sendable (String) -> Void = JournaldLogHandler.writeToStandardError
    ) {
        self.label = label
        self.logLevel = level
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Later sources win: the provider's context over the logger's own, the call site's over both.
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata {
            merged.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line = "<\(Self.priority(of: event.level))>"
        line += Self.escapingLineBreaks(event.message.description)
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(Self.formatKey(key))=\(Self.formatValue(value.description))"
        }
        write(line)
    }

    /// The syslog priorities of sd-daemon(3); swift-log's `trace` has no syslog level below debug.
    static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// The message stays readable as written; only what would split the journal entry is escaped
    /// (journald ends a stderr line at a newline and also at a NUL).
    static func escapingLineBreaks(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\0": escaped += "\\0"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Keys are code-chosen names; anything that would break `key=value` parsing becomes `_`.
    static func formatKey(_ key: String) -> String {
        guard !key.isEmpty else { return "_" }
        var formatted = ""
        for character in key.unicodeScalars {
            if character == " " || character == "=" || character == "\"" || character.value < 0x20 {
                formatted += "_"
            } else {
                formatted.unicodeScalars.append(character)
            }
        }
        return formatted
    }

    /// Plain when that is unambiguous; otherwise in double quotes with `\`, `"` and control
    /// characters escaped, so that `journalctl` output parses back into the same value.
    static func formatValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains {
            $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F
        }
        guard needsQuotes else { return value }
        var quoted = "\""
        for character in value.unicodeScalars {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case _ where character.value < 0x20 || character.value == 0x7F:
                quoted += "\\x" + (character.value < 0x10 ? "0" : "") + String(character.value, radix: 16)
            default: quoted.unicodeScalars.append(character)
            }
        }
        return quoted + "\""
    }

    /// Serialises whole lines across threads: a line longer than the pipe buffer is written in
    /// several pieces, and another thread's line must not land between them.
    private static let standardErrorLock = Mutex<Void>(())

    /// Writes `line` and a newline to file descriptor 2, unbuffered, retrying partial writes and
    /// interrupted calls. Gives up silently on any other error: there is nowhere left to report it.
    public static func writeToStandardError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        standardErrorLock.withLock { _ in
            _ = try? FileDescriptor.standardError.writeAll(bytes)
        }
    }
}
