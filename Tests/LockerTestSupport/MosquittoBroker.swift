import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real mosquitto broker (Debian's, installed by `make deps`) on a loopback port, with a
/// generated configuration: persistence on, and either mutual TLS with a generated CA (the client
/// certificate's CN is the username, `use_identity_as_username`) or plain MQTT with the client's
/// username, and per-cabinet ACLs either way: a cabinet writes only its own events and status and
/// reads only its own acks and commands; `ingest` reads and writes everything under the prefix.
/// Started, stopped (SIGTERM), killed (SIGKILL) and started again on the same port and files.
public final class MosquittoBroker {
    public let directory: URL
    public let port: Int
    public let tls: Bool
    private var process: Process?

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(tls: Bool, cabinets: [String], prefix: String = "lockers", autosaveSeconds: Int = 1) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mosquitto-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        self.tls = tls
        if tls { try makeCertificates(names: cabinets + ["ingest"]) }
        let acl = """
            user ingest
            topic readwrite \(prefix)/#

            pattern write \(prefix)/%u/events
            pattern readwrite \(prefix)/%u/status
            pattern read \(prefix)/%u/acks
            pattern read \(prefix)/%u/commands

            """
        try Data(acl.utf8).write(to: path("acl"))
        // As root, mosquitto would drop to its own user, which cannot write this directory.
        let user = String(cString: getpwuid(geteuid()).pointee.pw_name)
        var configuration = """
            user \(user)
            listener \(port) 127.0.0.1
            persistence true
            persistence_location \(directory.path)/
            autosave_interval \(autosaveSeconds)
            acl_file \(path("acl").path)
            max_queued_messages 0
            log_dest file \(path("mosquitto.log").path)
            log_type error
            log_type warning
            log_type notice

            """
        if tls {
            configuration += """
                cafile \(path("ca.pem").path)
                certfile \(path("server.pem").path)
                keyfile \(path("server.key").path)
                require_certificate true
                use_identity_as_username true

                """
        } else {
            configuration += "allow_anonymous true\n"
        }
        try Data(configuration.utf8).write(to: path("mosquitto.conf"))
    }

    public func path(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Starts the broker and waits until it accepts connections.
    public func start() throws {
        let process = Process()
        // Through python3, which clears the signal mask first: a child of the test process
        // inherits its blocked signals, and a broker that never sees SIGTERM never stops.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                             + "os.execv('/usr/sbin/mosquitto', ['mosquitto', '-c', sys.argv[1]])", path("mosquitto.conf").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            guard process.isRunning else {
                let log = (try? String(contentsOf: path("mosquitto.log"), encoding: .utf8)) ?? ""
                throw Failure(description: "mosquitto exited at start: \(log.suffix(600))")
            }
            if Self.accepts(port: port) { return }
            usleep(20_000)
        }
        throw Failure(description: "mosquitto did not listen on \(port) within 15 s")
    }

    /// SIGTERM: the broker saves its state and exits.
    public func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// SIGKILL: whatever it queued since its last save is lost.
    public func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public func remove() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A CA, the broker's certificate for 127.0.0.1, a client certificate per name, and a client
    /// certificate for "cabinet-7" from another CA (a stranger with the right name).
    private func makeCertificates(names: [String]) throws {
        try Data("subjectAltName=IP:127.0.0.1,DNS:localhost\n".utf8).write(to: path("server.ext"))
        try Data("extendedKeyUsage=clientAuth\n".utf8).write(to: path("client.ext"))
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        for ca in ["ca", "other-ca"] {
            try openssl(["req", "-x509"] + ec + ["-keyout", "\(ca).key", "-out", "\(ca).pem", "-days", "2", "-subj", "/CN=\(ca)"])
        }
        let signed = [("server", "server", "ca")] + names.map { ($0, $0, "ca") } + [("stranger", "cabinet-7", "other-ca")]
        for (file, commonName, ca) in signed {
            try openssl(["req"] + ec + ["-keyout", "\(file).key", "-out", "\(file).csr", "-subj", "/CN=\(commonName)"])
            try openssl(["x509", "-req", "-in", "\(file).csr", "-CA", "\(ca).pem", "-CAkey", "\(ca).key", "-CAcreateserial",
                         "-out", "\(file).pem", "-days", "2", "-extfile", file == "server" ? "server.ext" : "client.ext"])
        }
    }

    private func openssl(_ arguments: [String]) throws {
        try OpenSSLCommand.run(arguments, in: directory)
    }

    /// A loopback port nothing listens on now.
    public static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        guard bound == 0 else { throw Failure(description: "bind: \(errno)") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static func accepts(port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
