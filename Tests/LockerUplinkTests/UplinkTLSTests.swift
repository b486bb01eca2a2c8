import Crypto
import Foundation
import LockerCore
import LockerStore
import LockerTestSupport
import LockerUplink
import Logging
import NIOSSL
import Testing

/// HTTPS as configured on a cabinet: the server is checked against `caFile`, and the cabinet
/// proves itself with its client certificate (mutual TLS). Certificates are made with openssl.
@Suite struct UplinkTLSTests {
    /// A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA;
    /// and a second CA that signed nothing here.
    struct Certificates {
        let directory: URL
        var path: (String) -> String { { directory.appendingPathComponent($0).path } }

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("uplink-tls-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data("subjectAltName=IP:127.0.0.1,DNS:localhost\n".utf8).write(to: directory.appendingPathComponent("server.ext"))
            try Data("extendedKeyUsage=clientAuth\n".utf8).write(to: directory.appendingPathComponent("client.ext"))
            let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
            for ca in ["ca", "other-ca"] {
                try Self.openssl(["req", "-x509"] + ec + ["-keyout", "\(ca).key", "-out", "\(ca).pem", "-days", "2", "-subj", "/CN=\(ca)"], in: directory)
            }
            for name in ["server", "client"] {
                try Self.openssl(["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"], in: directory)
                try Self.openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                                  "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext"], in: directory)
            }
        }

        static func openssl(_ arguments: [String], in directory: URL) throws {
            try OpenSSLCommand.run(arguments, in: directory)
        }
    }

    func serverContext(_ certificates: Certificates, requireClientCertificate: Bool) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.path("server.pem")).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.path("server.key"), format: .pem)))
        if requireClientCertificate {
            tls.certificateVerification = .noHostnameVerification
            tls.trustRoots = .file(certificates.path("ca.pem"))
        }
        return try NIOSSLContext(configuration: tls)
    }

    /// One attempt of a fresh uplink against a TLS contract server.
    func attempt(_ certificates: Certificates, requireClientCertificate: Bool, caFile: String, withClientCertificate: Bool)
        async throws -> (UplinkService.Outcome, stored: Int)
    {
        let key = CabinetSigningKey(privateKey: .init(), cabinetID: "cabinet-tls")
        let server = ContractServer(publicKey: key.privateKey.publicKey,
                                    tls: try serverContext(certificates, requireClientCertificate: requireClientCertificate))
        try await server.start()
        let store = try CabinetStore(path: certificates.path("lockerd-\(UUID().uuidString.prefix(6)).sqlite"))
        try store.beginEpoch(at: Date())
        try store.transaction(at: EventStamp(wallClock: Date(), monotonicNanoseconds: 1)) { tx in
            for _ in 0..<3 { try tx.append(CustodyEvent(.daemonStarted)) }
        }
        var configuration = UplinkConfiguration(url: "https://127.0.0.1:\(server.port)", caFile: caFile, timeoutSeconds: 1.5)
        if withClientCertificate {
            configuration.clientCertificateFile = certificates.path("client.pem")
            configuration.clientKeyFile = certificates.path("client.key")
        }
        let transport = try HTTPSUplinkTransport(configuration: configuration)
        var logger = Logger(label: "tls-test")
        logger.logLevel = .critical
        let service = try UplinkService(configuration: configuration, cabinetID: key.cabinetID, store: store, transport: transport,
                                        key: key, doorLabel: { _ in nil }, logger: logger)
        let outcome = await service.attempt(now: Date())
        await transport.shutdown()
        let stored = server.stored.count
        await server.shutdown()
        return (outcome, stored)
    }

    @Test func mutualTLSDeliversAndAWrongCAOrAMissingClientCertificateDoesNot() async throws {
        let certificates = try Certificates()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }

        let good = try await attempt(certificates, requireClientCertificate: true, caFile: certificates.path("ca.pem"),
                                     withClientCertificate: true)
        #expect(good.0 == .delivered(acknowledged: 3, events: 3))
        #expect(good.stored == 3)

        let strangerCA = try await attempt(certificates, requireClientCertificate: false, caFile: certificates.path("other-ca.pem"),
                                           withClientCertificate: true)
        guard case .failed = strangerCA.0 else {
            Issue.record("a server whose certificate the configured CA did not sign was trusted")
            return
        }
        #expect(strangerCA.stored == 0)

        let noClientCertificate = try await attempt(certificates, requireClientCertificate: true, caFile: certificates.path("ca.pem"),
                                                    withClientCertificate: false)
        guard case .failed = noClientCertificate.0 else {
            Issue.record("a server that requires a client certificate accepted none")
            return
        }
        #expect(noClientCertificate.stored == 0)
    }
}
