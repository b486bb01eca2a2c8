import Foundation
import LockerMaintenanceProtocol
import NIOCore

/// One admitted client: request lines in, response lines out, strictly in order, one request at
/// a time. A malformed line gets its error in its turn and the connection stays usable; a line
/// over the size limit gets an error and the connection is closed (the rest of it cannot be told
/// from the next request). The cabinet never waits for this handler: answers are computed off the
/// event loop and written here.
///
/// A client that stops reading is not answered further until it reads again (its buffered output
/// stays under the high-water mark plus one answer), and one that keeps sending meanwhile finds
/// the queue full, is told `busy` and closed. A client that half-closes (`echo ... | socat`) still
/// gets every answer before the connection is closed.
final class MaintenanceConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Requests sent ahead of their answers beyond this are a broken or hostile client.
    static let maximumQueuedRequests = 32

    /// What waits for its turn: a request to carry out, or an answer already known (a parse error).
    private enum Item {
        case request(MaintenanceRequest)
        case answer(MaintenanceResponse)
    }

    private let peer: MaintenancePeer
    private let responder: any MaintenanceResponder
    private var queued: [Item] = []
    private var busy = false
    private var following = false
    /// No more input will be read: the client half-closed (close once everything is answered).
    private var inputEnded = false

    init(peer: MaintenancePeer, responder: any MaintenanceResponder) {
        self.peer = peer
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        // The feed is one-way; anything else a follower sends is ignored.
        if following || inputEnded { return }
        if line.readableBytesView.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { return }
        let item: Item
        switch MaintenanceRequest.parse(line.readableBytesView) {
        case .failure(let failure):
            item = .answer(.failure(failure, id: Self.requestID(in: line)))
        case .success(let request):
            item = .request(request)
        }
        if queued.count >= Self.maximumQueuedRequests {
            // Said at once and the connection closed: such a client is usually not reading either,
            // so its answers would never drain.
            queued.removeAll()
            inputEnded = true
            write(.failure(MaintenanceFailure(.busy, "more than \(Self.maximumQueuedRequests) requests waiting for answers; closing"),
                           id: nil), context: context)
            context.close(promise: nil)
            return
        } else {
            queued.append(item)
        }
        processNext(context: context)
    }

    private func processNext(context: ChannelHandlerContext) {
        // Waits while the client does not read: its answers would only pile up here.
        guard !busy, !following, context.channel.isActive, context.channel.isWritable else { return }
        guard !queued.isEmpty else {
            if inputEnded { context.close(promise: nil) }
            return
        }
        let item = queued.removeFirst()
        guard case .request(let request) = item else {
            if case .answer(let response) = item { write(response, context: context) }
            processNext(context: context)
            return
        }
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
            // Answered in the version the client asked in: an older lockerctl keeps working.
            var response = response
            response.v = request.v
            self.write(response, context: context)
            if request.command == .eventsFollow {
                self.following = true
                self.queued.removeAll()
                responder.follow(after: request.after, version: request.v, channel: context.channel, peer: peer)
                return
            }
            self.processNext(context: context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { processNext(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Requests not yet started are not carried out for a client that is gone.
        queued.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is MaintenanceLineDecoder.LineTooLong {
            write(.failure(MaintenanceFailure(.tooLarge, "a request line may be at most \(MaintenanceProtocol.maximumRequestBytes) bytes; closing"),
                           id: nil), context: context)
        }
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // The client sent everything it will send: answer it all, then close.
            inputEnded = true
            if !following { processNext(context: context) }
            return
        }
        // A client that sends nothing for a long time holds one of the few slots: let it go, unless
        // it is following events (it is expected to be silent then) or waiting for an answer.
        if event is IdleStateHandler.IdleStateEvent, !following, !busy {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func write(_ response: MaintenanceResponse, context: ChannelHandlerContext) {
        guard context.channel.isActive, let line = try? MaintenanceProtocol.line(response, version: response.v) else { return }
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
