import Foundation

/// Runs Debian's `openssl` (installed by `make deps`) in a directory: how the TLS tests make
/// their CAs, server and client certificates. Throws naming the subcommand that failed.
public enum OpenSSLCommand {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func run(_ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "openssl \(arguments.prefix(2).joined(separator: " ")) failed in \(directory.path) (status \(process.terminationStatus))")
        }
    }
}
