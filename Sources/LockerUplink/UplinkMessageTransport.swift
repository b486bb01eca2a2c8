public import Foundation

/// The uplink's transport as messages: send a signed batch, and receive what the server sends
/// as it comes (the answer to a batch, or something the server sends on its own). HTTPS fits it
/// through `RequestResponseMessageTransport` (each response is the reply to its request); a
/// broker transport (MQTT v5) fits it as it is: it publishes a batch with the message's `id` as
/// correlation data, and the acknowledgement published back carries the same id, while commands
/// and acknowledgements the server publishes on its own arrive as `.pushed`.
///
/// `UplinkService` speaks only this protocol. Whatever the transport, the server's contiguous
/// acknowledgement stays the only truth: a reply moves nothing by being a reply, only by what its
/// body says.
public protocol UplinkMessageTransport: Sendable {
    /// Hands one batch to the server. Returns once it is sent (an HTTP transport returns after
    /// the answer, which it has delivered to `incoming` by then); throws when it could not be.
    func send(_ message: UplinkMessage, to url: URL, timeoutSeconds: Double) async throws
    /// Everything the server sends, in the order it arrives. One consumer (`UplinkService`); the
    /// stream finishes at `shutdown`.
    var incoming: AsyncStream<UplinkIncoming> { get }
    /// Closes the connections and finishes `incoming`.
    func shutdown() async
}

/// A signed batch (or an empty poll) on its way to the server.
public struct UplinkMessage: Sendable {
    /// Unique within the process: the reply to this message names it.
    public var id: UInt64
    public var body: Data
    /// The signature, the contract version and the body's encoding (HTTP headers; MQTT v5 user
    /// properties and content type).
    public var headers: [(String, String)]

    public init(id: UInt64, body: Data, headers: [(String, String)]) {
        self.id = id
        self.body = body
        self.headers = headers
    }
}

/// What the server sent.
public enum UplinkIncoming: Sendable {
    /// The answer to message `id` (status, `Retry-After`, body as over HTTPS).
    case reply(to: UInt64, UplinkHTTPResponse)
    /// Sent on the server's own account: an acknowledgement body with commands, say.
    case pushed(UplinkHTTPResponse)
}

/// Any request/response transport (`UplinkTransport`: HTTPS, a test's loopback client) as
/// messages: each response is delivered as the reply to its request before `send` returns.
public final class RequestResponseMessageTransport: UplinkMessageTransport {
    private let transport: any UplinkTransport
    public let incoming: AsyncStream<UplinkIncoming>
    private let continuation: AsyncStream<UplinkIncoming>.Continuation

    public init(_ transport: any UplinkTransport) {
        self.transport = transport
        (incoming, continuation) = AsyncStream<UplinkIncoming>.makeStream()
    }

    public func send(_ message: UplinkMessage, to url: URL, timeoutSeconds: Double) async throws {
        let response = try await transport.post(message.body, to: url, headers: message.headers, timeoutSeconds: timeoutSeconds)
        continuation.yield(.reply(to: message.id, response))
    }

    public func shutdown() async {
        continuation.finish()
        await transport.shutdown()
    }
}
