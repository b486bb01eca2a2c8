import Foundation
import LockerMaintenanceProtocol
import NIOCore

/// One admitted client: request lines in, response lines out, strictly in order, one request at
/// a time. A malformed line gets an error and the connection stays usable; a line over the size
/// limit gets an error and the connection is closed (the rest of it cannot be told from the next
/// request). The cabinet never waits for this handler: answers are computed off the event loop and
/// written here; a client that stops reading only fills its own bounded buffers.
final class MaintenanceConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Requests sent ahead of their answers beyond this are a broken or hostile client.
    static let maximumQueuedRequests = 32

    private let peer: MaintenancePeer
    private let responder: any MaintenanceResponder
    private var queued: [MaintenanceRequest] = []
    private var busy = false
    private var following = false

    init(peer: MaintenancePeer, responder: any MaintenanceResponder) {
        self.peer = peer
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        if following {
            // The feed is one-way; anything else the client sends is ignored.
            return
        }
        if line.readableBytesView.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { return }
        switch MaintenanceRequest.parse(line.readableBytesView) {
        case .failure(let failure):
            write(.failure(failure, id: Self.requestID(in: line)), context: context)
        case .success(let request):
            guard queued.count < Self.maximumQueuedRequests else {
                write(.failure(MaintenanceFailure(.busy, "more than \(Self.maximumQueuedRequests) requests waiting for answers; closing"),
                               id: request.id), context: context)
                context.close(promise: nil)
                return
            }
            queued.append(request)
            processNext(context: context)
        }
    }

    private func processNext(context: ChannelHandlerContext) {
        guard !busy, !following, !queued.isEmpty else { return }
        let request = queued.removeFirst()
        busy = true
        let responder = self.responder, peer = self.peer
        let promise = context.eventLoop.makePromise(of: MaintenanceResponse.self)
        if peer.access == .readOnly && !request.command.isReadOnly {
            let failure = MaintenanceFailure(.forbidden, "\(peer.userName) has read-only access; \"\(request.command.rawValue)\" needs the maintenance group")
            promise.completeWithTask {
                await responder.refused(request, from: peer, failure: failure)
                return .failure(failure, id: request.id)
            }
        } else if request.command == .eventsFollow {
            promise.succeed(MaintenanceResponse(id: request.id))
        } else {
            promise.completeWithTask { await responder.respond(to: request, from: peer) }
        }
        promise.futureResult.assumeIsolated().whenSuccess { [weak self] response in
            guard let self else { return }
            self.busy = false
            self.write(response, context: context)
            if request.command == .eventsFollow {
                self.following = true
                self.queued.removeAll()
                responder.follow(after: request.after, channel: context.channel, peer: peer)
            }
            self.processNext(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is MaintenanceLineDecoder.LineTooLong {
            write(.failure(MaintenanceFailure(.tooLarge, "a request line may be at most \(MaintenanceProtocol.maximumRequestBytes) bytes; closing"),
                           id: nil), context: context)
        }
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // A client that sends nothing for a long time holds one of the few slots: let it go, unless
        // it is following events (it is expected to be silent then).
        if event is IdleStateHandler.IdleStateEvent, !following, !busy {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func write(_ response: MaintenanceResponse, context: ChannelHandlerContext) {
        guard context.channel.isActive, let line = try? MaintenanceProtocol.line(response) else { return }
        var buffer = context.channel.allocator.buffer(capacity: line.utf8.count + 1)
        buffer.writeString(line)
        buffer.writeInteger(UInt8(ascii: "\n"))
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    /// The `id` of a request that could not be read as a whole, so the client can still match the error.
    private static func requestID(in line: ByteBuffer) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.readableBytesView)) as? [String: Any] else { return nil }
        return object["id"] as? Int
    }
}
