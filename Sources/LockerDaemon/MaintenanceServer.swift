import Foundation
import LockerMaintenanceProtocol
import Logging
import NIOCore
import NIOPosix
import Synchronization
import LockerSystem

/// The maintenance socket: a Unix stream socket, mode 0660, group-owned by the maintenance group.
///
/// Every connection is identified with `SO_PEERCRED` before anything is read from it, and turned
/// away unless the policy admits its uid/gid (the file mode is a first fence; the kernel's word on
/// the peer is the one that counts, so a socket file left world-writable by mistake still admits
/// no one else). Runs on its own event-loop thread: nothing here ever waits on the cabinet, and
/// the cabinet never waits on a client.
final class MaintenanceServer: Sendable {
    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    let path: String
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    private init(path: String, group: MultiThreadedEventLoopGroup, channel: any Channel) {
        self.path = path
        self.group = group
        self.channel = channel
    }

    /// - Parameter readOnly: every peer gets read-only access at most (the `-ro` socket).
    static func start(
        path: String, socketGroupID: UInt32?, policy: MaintenanceAccessPolicy, readOnly: Bool = false, maximumClients: Int,
        responder: any MaintenanceResponder, logger: Logger, idleTimeout: TimeAmount = .minutes(5)
    ) async throws -> MaintenanceServer {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o755])
            } catch {
                throw StartError(description: "cannot create the directory of the maintenance socket \(path): \(error.localizedDescription)")
            }
        }
        // The socket is created, given to its group and chmod-ed by path: in a directory someone
        // else may write to, they could swap it for a symlink in between and have lockerd hand
        // them any file. Such a directory is refused.
        let folderPath = directory.isEmpty ? "." : directory
        guard let folder = try? FileSystemCalls.status(of: folderPath), folder.kind == .directory else {
            throw StartError(description: "the directory of the maintenance socket \(path) cannot be used")
        }
        guard folder.ownerID == 0 || folder.ownerID == ProcessCalls.effectiveUserID, folder.permissions & 0o022 == 0 else {
            throw StartError(description: "the directory of the maintenance socket \(path) must belong to root or lockerd's user "
                + "and be writable by no one else (mode \(String(folder.permissions, radix: 8)), owner uid \(folder.ownerID))")
        }
        if let existing = try? FileSystemCalls.linkStatus(of: path), existing.kind != .socket {
            throw StartError(description: "\(path) exists and is not a socket; not replacing it")
        }
        let clients = ClientCount()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 32)
            // A client that stops reading may have this much waiting for it; event feeds end
            // with "lagging" beyond it, so its memory stays bounded.
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 32 * 1024, high: 256 * 1024))
            // A client that half-closes after its requests (`echo ... | socat`) still gets the answers.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                admit(channel, clients: clients, maximumClients: maximumClients, policy: policy, readOnly: readOnly,
                      responder: responder, logger: logger, idleTimeout: idleTimeout)
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        } catch {
            try? await group.shutdownGracefully()
            throw StartError(description: "cannot listen on the maintenance socket \(path): \(error)")
        }
        // chown before chmod: between the two the mode still excludes the group.
        if let socketGroupID {
            do {
                try FileSystemCalls.changeGroup(ofLink: path, to: socketGroupID)
            } catch {
                logger.warning("cannot give the maintenance socket to its group", metadata: [
                    "socket.path": "\(path)", "group.id": "\(socketGroupID)", "error": "\(error.message)",
                ])
            }
        }
        do {
            try FileSystemCalls.changeMode(of: path, to: 0o660)
        } catch {
            let reason = error.message
            try? await channel.close()
            try? await group.shutdownGracefully()
            throw StartError(description: "cannot set mode 0660 on the maintenance socket \(path): \(reason)")
        }
        return MaintenanceServer(path: path, group: group, channel: channel)
    }

    /// Identifies the peer, then either installs the request handlers or says why not and closes.
    private static func admit(
        _ channel: any Channel, clients: ClientCount, maximumClients: Int, policy: MaintenanceAccessPolicy, readOnly: Bool,
        responder: any MaintenanceResponder, logger: Logger, idleTimeout: TimeAmount
    ) -> EventLoopFuture<Void> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.close()
        }
        let credentials: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(NIOBSDSocket.OptionLevel.socket.rawValue), name: SocketOptionName(PeerCredentials.socketOption))
        return credentials.flatMap { credentials in
            let rejection: MaintenanceFailure?
            var peer: MaintenancePeer?
            if var access = policy.access(uid: credentials.uid, gid: credentials.gid) {
                if readOnly { access = .readOnly }
                let admitted = clients.count.withLock { count -> Bool in
                    guard count < maximumClients else { return false }
                    count += 1
                    return true
                }
                if admitted {
                    rejection = nil
                    peer = MaintenancePeer(uid: credentials.uid, gid: credentials.gid, pid: credentials.pid,
                                           userName: policy.userName(credentials.uid), access: access)
                    channel.closeFuture.whenComplete { _ in clients.count.withLock { $0 -= 1 } }
                } else {
                    rejection = MaintenanceFailure(.busy, "\(maximumClients) maintenance clients are already connected; try again")
                }
            } else {
                rejection = MaintenanceFailure(.forbidden,
                    "uid \(credentials.uid) (gid \(credentials.gid)) may not use the maintenance socket: not root, not in the maintenance group")
            }
            if let rejection {
                responder.rejected(uid: credentials.uid, gid: credentials.gid, pid: credentials.pid, failure: rejection)
                // Said once the connection is active (a write before that would be lost), then closed.
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(MaintenanceRejectionHandler(failure: rejection))
                }
            }
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandlers([
                    IdleStateHandler(readTimeout: idleTimeout),
                    ByteToMessageHandler(MaintenanceLineDecoder()),
                    MaintenanceConnectionHandler(peer: peer!, responder: responder),
                ])
            }
        }
    }

    /// Connections admitted and not yet closed.
    final class ClientCount: Sendable {
        let count = Mutex(0)
    }

    /// Stops listening, closes the socket file and the clients' connections.
    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
        FileSystemCalls.removeIfPresent(path)
    }
}
