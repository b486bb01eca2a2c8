import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// The uplink over async-http-client: HTTPS checked against the configured CA, with the client
/// certificate when one is configured (mutual TLS). Plain HTTP is possible only where the
/// configuration allows it (loopback).
public final class HTTPSUplinkTransport: UplinkTransport {
    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The largest answer read: an acknowledgement with its commands is small.
    static let maximumResponseBytes = 4 * 1024 * 1024

    private let client: HTTPClient

    public init(configuration: UplinkConfiguration) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let caFile = configuration.caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw SetupError(description: "uplink.caFile \(caFile) cannot be read")
            }
            tls.trustRoots = .file(caFile)
        }
        if let certificateFile = configuration.clientCertificateFile, let keyFile = configuration.clientKeyFile {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            } catch {
                throw SetupError(description: "the uplink client certificate \(certificateFile) or key \(keyFile) cannot be used: \(error)")
            }
        }
        var settings = HTTPClient.Configuration(tlsConfiguration: tls)
        settings.timeout = HTTPClient.Configuration.Timeout(
            connect: .milliseconds(Int64(min(configuration.timeoutSeconds, 30) * 1000)),
            read: .milliseconds(Int64(configuration.timeoutSeconds * 1000)))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
    }

    public func post(_ body: Data, to url: URL, headers: [(String, String)], timeoutSeconds: Double) async throws -> UplinkHTTPResponse {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
        let bytes = try await response.body.collect(upTo: Self.maximumResponseBytes)
        return UplinkHTTPResponse(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                                  body: Data(bytes.readableBytesView))
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}
