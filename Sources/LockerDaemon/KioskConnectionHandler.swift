import LockerHAL
import NIOCore
import NIOHTTP1

/// One connection to the kiosk server: one request answered and the connection closed, except the
/// feed, which stays open and is written to by `KioskFeed`.
final class KioskConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: KioskRouter
    private let feed: KioskFeed
    private let pressKey: @Sendable (HardwareKey) async -> Void
    private var requestHead: HTTPRequestHead?
    private var body: [UInt8] = []
    /// After the first request this connection answers nothing more (one request per connection).
    private var answered = false
    private var subscribed = false

    init(router: KioskRouter, feed: KioskFeed, pressKey: @escaping @Sendable (HardwareKey) async -> Void) {
        self.router = router
        self.feed = feed
        self.pressKey = pressKey
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            requestHead = head
            body = []
        case .body(var chunk):
            // Kept to one byte over the limit: enough for the router to refuse it as too large.
            let room = KioskRouter.maximumBodyBytes + 1 - body.count
            if room > 0, let bytes = chunk.readBytes(length: min(room, chunk.readableBytes)) { body += bytes }
        case .end:
            guard let head = requestHead, !answered else { return }
            answered = true
            requestHead = nil
            handle(head, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if subscribed { feed.unsubscribe(context.channel) }
        context.fireChannelInactive()
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        switch router.route(method: head.method, uri: head.uri, headers: head.headers, body: body) {
        case .asset(let asset):
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: asset.contentType)
            headers.add(name: "Cache-Control", value: "no-store")
            // The page runs its own script and style only: nothing injected into a message (a
            // courier's name) can run.
            headers.add(name: "Content-Security-Policy",
                        value: "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
            headers.add(name: "X-Content-Type-Options", value: "nosniff")
            respond(head, .ok, headers: headers, body: asset.body, context: context)
        case .events:
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/event-stream; charset=utf-8")
            headers.add(name: "Cache-Control", value: "no-store")
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))),
                                  promise: nil)
            if feed.subscribe(context.channel) {
                subscribed = true
            } else {
                // The head is out already: ending the stream at once says "come back later".
                context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            }
        case .key(let key):
            let promise = context.eventLoop.makePromise(of: Void.self)
            let pressKey = self.pressKey
            promise.completeWithTask { await pressKey(key) }
            promise.futureResult.assumeIsolated().whenComplete { [weak self] _ in
                self?.respond(head, .noContent, headers: HTTPHeaders(), body: nil, context: context)
            }
        case .refuse(let status, let message, let allow):
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
            if let allow { headers.add(name: "Allow", value: allow) }
            respond(head, status, headers: headers, body: message + "\n", context: context)
        }
    }

    private func respond(_ head: HTTPRequestHead, _ status: HTTPResponseStatus, headers: HTTPHeaders, body: String?,
                         context: ChannelHandlerContext) {
        var headers = headers
        let bytes = body.map { context.channel.allocator.buffer(string: $0) }
        headers.add(name: "Content-Length", value: String(bytes?.readableBytes ?? 0))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        // HEAD: the length of what GET would send, and no body.
        if let bytes, bytes.readableBytes > 0, head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
