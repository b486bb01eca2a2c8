import LockerSystem

/// Writes straight to the file descriptors, unbuffered: `events --follow` must show each event
/// the moment it arrives even when piped, and errors must never be stuck behind normal output.
enum TerminalOutput {
    /// Text for standard output, ending with exactly one newline.
    static func write(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        // A reader gone (`| head`): the rest of the output has nowhere to go; nothing to report.
        _ = try? FileDescriptor(rawValue: 1, path: "standard output").writeAll(Array(line.utf8))
    }

    /// "lockerctl: <message>" on standard error.
    static func error(_ message: String) {
        _ = try? FileDescriptor(rawValue: 2, path: "standard error").writeAll(Array("lockerctl: \(message)\n".utf8))
    }
}
