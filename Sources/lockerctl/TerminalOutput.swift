import Foundation

/// Writes straight to the file descriptors, unbuffered: `events --follow` must show each event
/// the moment it arrives even when piped, and errors must never be stuck behind normal output.
enum TerminalOutput {
    /// Text for standard output, ending with exactly one newline.
    static func write(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    /// "lockerctl: <message>" on standard error.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("lockerctl: \(message)\n".utf8))
    }
}
