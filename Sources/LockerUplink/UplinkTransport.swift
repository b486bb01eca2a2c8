public import Foundation

/// One HTTP exchange with the server. The real one is `HTTPSUplinkTransport`; tests may use it
/// against a loopback server or provide their own. `UplinkService` speaks messages
/// (`UplinkMessageTransport`); `RequestResponseMessageTransport` puts one of these under it.
public protocol UplinkTransport: Sendable {
    func post(_ body: Data, to url: URL, headers: [(String, String)], timeoutSeconds: Double) async throws -> UplinkHTTPResponse
    func shutdown() async
}

public struct UplinkHTTPResponse: Sendable {
    public var status: Int
    public var retryAfter: String?
    public var body: Data

    public init(status: Int, retryAfter: String?, body: Data) {
        self.status = status
        self.retryAfter = retryAfter
        self.body = body
    }
}
