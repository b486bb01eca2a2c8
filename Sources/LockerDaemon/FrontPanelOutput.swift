import Foundation
import Synchronization

/// Unbuffered, line-at-a-time output for the front panel, so a program reading a pipe sees each line
/// as soon as it happened (and a killed process loses nothing it had printed).
public final class FrontPanelOutput: Sendable {
    /// A "> " prompt is on the terminal's last line: a line printed meanwhile (a door event, a
    /// reminder) replaces it and puts it back below, so the prompt is always the last thing shown.
    private let promptShown = Mutex<Bool>(false)
    private let fd: Int32
    private let sink: (@Sendable (String) -> Void)?

    public init(fd: Int32 = 1) {
        self.fd = fd
        self.sink = nil
    }

    /// Lines go to `sink` instead of a file descriptor (`lockerctl sim` collects them for its answer).
    public init(sink: @escaping @Sendable (String) -> Void) {
        self.fd = -1
        self.sink = sink
    }

    public func line(_ text: String) {
        if let sink { return sink(text) }
        promptShown.withLock { shown in
            // "\r" and the erase-line sequence take the prompt off before the line is printed.
            writeAll(shown ? "\r\u{1B}[K" + text + "\n> " : text + "\n")
        }
    }

    /// Shows "> " for the next command (on a terminal; piped input is echoed instead).
    public func prompt() {
        if sink != nil { return }
        promptShown.withLock { shown in
            writeAll("> ")
            shown = true
        }
    }

    /// The user pressed ENTER: the prompt line is theirs now, the next line starts below it.
    public func promptAnswered() {
        promptShown.withLock { $0 = false }
    }

    private func writeAll(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 { if errno == EINTR { continue } else { return } }
            offset += written
        }
    }
}
