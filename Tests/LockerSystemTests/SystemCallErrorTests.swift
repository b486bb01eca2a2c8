#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LockerSystem
import Testing

/// Every failure of the system-call layer names the call, the path and the errno.
@Suite struct SystemCallErrorTests {
    @Test func openingAMissingPathNamesTheCallThePathAndTheErrno() throws {
        let path = "/nonexistent-\(UUID().uuidString)/ttyUSB9"

        let error = #expect(throws: SystemCallError.self) { try FileDescriptor.open(path, .readWrite) }

        #expect(error?.call == "open")
        #expect(error?.path == path)
        #expect(error?.code == SystemErrno.noSuchFile)
        #expect(error?.isMissing == true)
        #expect(error?.description == "open \(path): No such file or directory (ENOENT)")
    }

    @Test func aFailedCallIsRetriedOnlyForEINTR() throws {
        var attempts = 0
        let error = #expect(throws: SystemCallError.self) {
            try SystemCall.run("ioctl", path: "/dev/null") {
                attempts += 1
                errno = attempts < 3 ? EINTR : ENOTTY
                return -1
            }
        }
        #expect(attempts == 3)
        #expect(error == SystemCallError(call: "ioctl", path: "/dev/null", code: ENOTTY))
        #expect(error?.isNotSupported == true)
    }

    @Test func readsAndWritesGoThroughTheDescriptor() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("locker-system-\(UUID().uuidString)").path
        defer { unlink(path) }
        let writer = try FileDescriptor.open(path, .writeOnly, options: [.create, .truncate])
        #expect(try writer.writeOnce([1, 2, 3][...]) == 3)
        writer.close()

        let reader = try FileDescriptor.open(path, .readOnly)
        defer { reader.close() }
        #expect(try reader.poll(for: .readable, milliseconds: 100).contains(.readable))
        #expect(try reader.read(maximum: 16) == .bytes([1, 2, 3]))
        #expect(try reader.read(maximum: 16) == .endOfFile)
    }

    @Test func aReadOnAClosedDescriptorNamesThePath() throws {
        let reader = try FileDescriptor.open("/dev/null", .readOnly)
        reader.close()

        let error = #expect(throws: SystemCallError.self) { try reader.read(maximum: 1) }

        #expect(error?.call == "read")
        #expect(error?.path == "/dev/null")
        #expect(error?.code == SystemErrno.badDescriptor)
    }

    @Test func anIoctlOnAFileThatIsNotATerminalIsNotSupported() throws {
        let file = try FileDescriptor.open("/dev/null", .readWrite)
        defer { file.close() }

        let error = #expect(throws: SystemCallError.self) { try SerialLineSettings.makeRaw(file, speed: 0, parity: .none) }

        #expect(error?.call == "read line settings")
        #expect(error?.path == "/dev/null")
        #expect(error?.isNotSupported == true)
    }
}
