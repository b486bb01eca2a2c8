import Foundation
import LockerDrivers
import LockerHAL
import LockerSimulator
import LockerWire
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Kerong's TCP bus unit carries the same frames over TCP: the same driver on a TCP link, against
/// a simulated bus unit on loopback.
@Suite(.serialized) struct TCPBusUnitTests {
    /// A loopback TCP server that hands every received chunk to `respond` and sends back the answer;
    /// one connection at a time, like a bus unit.
    final class LoopbackBusUnit: Sendable {
        let port: Int
        private let listener: Int32
        private let running = Atomic<Bool>(true)
        private let finished = Atomic<Bool>(false)
        private let connection = Atomic<Int32>(-1)
        private let respond: @Sendable ([UInt8]) -> [UInt8]

        init(respond: @escaping @Sendable ([UInt8]) -> [UInt8]) throws {
            self.respond = respond
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard bound == 0, listen(fd, 4) == 0 else { throw HardwareError.io(device: "loopback", operation: "listen", detail: "\(errno)") }
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            listener = fd
            port = Int(UInt16(bigEndian: address.sin_port))
            Thread { [self] in serve() }.start()
        }

        /// Drops the current connection, as a bus unit that reboots does.
        func dropConnection() {
            let fd = connection.exchange(-1, ordering: .relaxed)
            if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
        }

        func stop() {
            running.store(false, ordering: .relaxed)
            dropConnection()
            while !finished.load(ordering: .relaxed) { usleep(1_000) }
            close(listener)
        }

        private func serve() {
            defer { finished.store(true, ordering: .relaxed) }
            while running.load(ordering: .relaxed) {
                var waiting = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                guard poll(&waiting, 1, 20) > 0 else { continue }
                let client = accept(listener, nil, nil)
                guard client >= 0 else { continue }
                connection.store(client, ordering: .relaxed)
                var buffer = [UInt8](repeating: 0, count: 512)
                while running.load(ordering: .relaxed), connection.load(ordering: .relaxed) == client {
                    var readable = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
                    guard poll(&readable, 1, 20) > 0 else { continue }
                    let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, 512, 0) }
                    if count <= 0 { break }
                    let answer = respond(Array(buffer[..<count]))
                    if !answer.isEmpty { _ = answer.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
                }
                close(client)
            }
        }
    }

    static let timing = SerialBus.Timing(replyTimeoutMilliseconds: 120, retries: 1, interFrameGapMilliseconds: 1)

    @Test func aKerongBoardBehindABusUnitUnlocksAndReportsStatus() async throws {
        let locks = SimulatedLocks(channelCount: 16)
        let board = SharedBoard(SimulatedKerongCU16Board(board: 0, hardware: .init(
            readDoors: { (locks.doors, locks.items.withLock { $0 }) }, pulse: { locks.pulse($0) })))
        let unit = try LoopbackBusUnit { bytes in board.withBoard { $0.receive(bytes) } }
        defer { unit.stop() }
        let endpoint = LinkEndpoint(device: "tcp://127.0.0.1:\(unit.port)", baud: 19_200)
        #expect(endpoint == .tcp(host: "127.0.0.1", port: unit.port))
        let bus = SerialBus(endpoint: endpoint, timing: Self.timing)
        let driver = try KerongCU16LockBoard(address: 0, polarity: .setMeansOpen, hasItemSensors: false, bus: bus)
        try await driver.unlock(channel: 3, pulseMilliseconds: 500)
        #expect(try await driver.readStatus().doorOpen[2])

        // The bus unit drops the connection (reboot): the next transaction reconnects.
        unit.dropConnection()
        locks.set(channel: 3, open: false)
        var status = try? await driver.readStatus()
        if status == nil { status = try? await driver.readStatus() }
        #expect(status?.doorOpen[2] == false)
        await bus.close()
    }

    @Test func aBusUnitThatIsNotThereIsAMissingDevice() async throws {
        // A privileged port nothing here listens on. (A port bound and closed again could be
        // taken at once by another test's listener: ephemeral ports are reused quickly.)
        let port = 1
        let bus = SerialBus(endpoint: .tcp(host: "127.0.0.1", port: port), timing: Self.timing)
        let driver = try KerongCU16LockBoard(address: 0, polarity: .setMeansOpen, hasItemSensors: false, bus: bus)
        do {
            _ = try await driver.readStatus()
            Issue.record("read a status from nowhere")
        } catch let error as HardwareError {
            #expect("\(error)".contains("tcp://127.0.0.1:\(port) is missing"), "\(error)")
        }
        await bus.close()
    }
}
