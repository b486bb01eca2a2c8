import Foundation
import LockerSystem
import Testing

/// The path calls name the call, the path and the errno, and do what they say on a real file system.
@Suite struct FileSystemCallsTests {
    private static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("locker-fs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        return url.path
    }

    @Test func statusOfAMissingPathNamesTheCallThePathAndENOENT() {
        let path = "/nonexistent-\(UUID().uuidString)/display"

        let error = #expect(throws: SystemCallError.self) { try FileSystemCalls.status(of: path) }

        #expect(error?.call == "stat")
        #expect(error?.path == path)
        #expect(error?.code == SystemErrno.noSuchFile)
        #expect(error?.description == "stat \(path): No such file or directory (ENOENT)")
    }

    @Test func aFIFOIsMadeRenamedAndRemoved() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/panel.fifo"
        let moved = directory + "/moved.fifo"

        try FileSystemCalls.makeFIFO(at: fifo, permissions: 0o600)
        let made = try FileSystemCalls.status(of: fifo)
        #expect(made.kind == .fifo)
        #expect(made.permissions & 0o077 == 0)
        #expect(made.ownerID == ProcessCalls.effectiveUserID)

        let again = #expect(throws: SystemCallError.self) { try FileSystemCalls.makeFIFO(at: fifo) }
        #expect(again?.call == "mkfifo")
        #expect(again?.code == SystemErrno.exists)

        try FileSystemCalls.rename(fifo, to: moved)
        #expect(try FileSystemCalls.status(of: moved) == made)
        #expect(throws: SystemCallError.self) { try FileSystemCalls.status(of: fifo) }

        try FileSystemCalls.unlink(moved)
        let gone = #expect(throws: SystemCallError.self) { try FileSystemCalls.unlink(moved) }
        #expect(gone?.call == "unlink")
        #expect(gone?.path == moved)
        #expect(gone?.isMissing == true)
        #expect(FileSystemCalls.removeIfPresent(moved) == false)
    }

    @Test func aRenameThatFailsNamesBothPaths() {
        let source = "/nonexistent-\(UUID().uuidString)/a"
        let target = "/nonexistent-\(UUID().uuidString)/b"

        let error = #expect(throws: SystemCallError.self) { try FileSystemCalls.rename(source, to: target) }

        #expect(error?.call == "rename")
        #expect(error?.path == "\(source) -> \(target)")
        #expect(error?.code == SystemErrno.noSuchFile)
    }

    @Test func aLinkNeverReplacesAnExistingFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = directory + "/key"
        let second = directory + "/key.new"
        let file = try FileDescriptor.open(first, .writeOnly, options: [.create, .exclusive], permissions: 0o600)
        #expect(try file.writeAll([1, 2, 3]) == 3)
        try file.sync()
        file.close()
        FileManager.default.createFile(atPath: second, contents: Data([9]))

        let error = #expect(throws: SystemCallError.self) { try FileSystemCalls.link(second, to: first) }

        #expect(error?.call == "link")
        #expect(error?.code == SystemErrno.exists)
        #expect(FileManager.default.contents(atPath: first) == Data([1, 2, 3]))
        let exclusive = #expect(throws: SystemCallError.self) {
            try FileDescriptor.open(first, .writeOnly, options: [.create, .exclusive])
        }
        #expect(exclusive?.code == SystemErrno.exists)
        try FileSystemCalls.syncDirectory(directory)
    }

    @Test func aSymbolicLinkIsReportedByLstatAndResolvedByRealpath() throws {
        let directory = try FileSystemCalls.resolvingSymbolicLinks(try Self.temporaryDirectory())
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let target = directory + "/screen.txt"
        let link = directory + "/display"
        FileManager.default.createFile(atPath: target, contents: Data())
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)

        #expect(try FileSystemCalls.linkStatus(of: link).kind == .symbolicLink)
        #expect(try FileSystemCalls.status(of: link).kind == .regular)
        #expect(try FileSystemCalls.resolvingSymbolicLinks(link) == target)

        try FileSystemCalls.changeMode(of: target, to: 0o640)
        #expect(try FileSystemCalls.status(of: target).permissions == 0o640)
        let missing = #expect(throws: SystemCallError.self) { try FileSystemCalls.resolvingSymbolicLinks(directory + "/none") }
        #expect(missing?.call == "realpath")
        #expect(missing?.code == SystemErrno.noSuchFile)
    }

    @Test func syncingAFileThatIsNotADirectoryAsOneIsRefused() throws {
        let error = #expect(throws: SystemCallError.self) { try FileSystemCalls.syncDirectory("/dev/null") }

        #expect(error?.call == "open")
        #expect(error?.path == "/dev/null")
        #expect(error?.code == SystemErrno.notADirectory)
    }

    @Test func theMonotonicClockNeverGoesBack() {
        let first = MonotonicClock.nanoseconds
        let second = MonotonicClock.now
        #expect(first > 0)
        #expect(second >= .nanoseconds(Int64(first)))
    }
}
