/// The `maintenance` section of the configuration: the technician's socket and the metrics endpoint.
public struct MaintenanceConfiguration: Sendable, Codable, Equatable {
    /// The Unix socket `lockerctl` talks to. Nil: `$RUNTIME_DIRECTORY/maintenance.sock` under
    /// systemd, else `/run/lockerd/maintenance.sock`.
    public var socketPath: String?
    /// Members of this group (and root, and the daemon's own user) may use every command. The
    /// socket file is given to this group with mode 0660. A group that does not exist admits only
    /// root and the daemon's user (and says so in the log).
    public var group: String
    /// Members of this group may use the read-only commands (status, events, audit verify, ...),
    /// on a second socket beside the first, `maintenance-ro.sock`, given to this group (as libvirt
    /// does: one file can belong to one group only, and the mode of a socket file is what lets a
    /// client connect at all). Every command on that socket is read-only, whoever connects.
    public var readOnlyGroup: String?
    /// "127.0.0.1:9464" serves Prometheus metrics over HTTP on loopback; nil (the default) does not.
    public var metricsListen: String?
    /// At most this many clients at once; more are told "busy" and closed.
    public var maximumClients: Int

    /// Every key of the section (`CaseIterable` for the configuration's unknown-key check).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case socketPath, group, readOnlyGroup, metricsListen, maximumClients
    }

    public init(socketPath: String? = nil, group: String = "lockerd-maint", readOnlyGroup: String? = nil,
                metricsListen: String? = nil, maximumClients: Int = 16) {
        self.socketPath = socketPath
        self.group = group
        self.readOnlyGroup = readOnlyGroup
        self.metricsListen = metricsListen
        self.maximumClients = maximumClients
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = MaintenanceConfiguration()
        socketPath = try c.decodeIfPresent(String.self, forKey: .socketPath)
        group = try c.decodeIfPresent(String.self, forKey: .group) ?? d.group
        readOnlyGroup = try c.decodeIfPresent(String.self, forKey: .readOnlyGroup)
        metricsListen = try c.decodeIfPresent(String.self, forKey: .metricsListen)
        maximumClients = try c.decodeIfPresent(Int.self, forKey: .maximumClients) ?? d.maximumClients
    }

    /// The socket path in effect.
    public func effectiveSocketPath(environment: [String: String]) -> String {
        if let socketPath { return socketPath }
        if let runtime = environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first {
            return "\(runtime)/maintenance.sock"
        }
        return "/run/lockerd/maintenance.sock"
    }

    /// The read-only socket beside `path`: "/run/lockerd/maintenance.sock" → "/run/lockerd/maintenance-ro.sock".
    public static func readOnlySocketPath(beside path: String) -> String {
        path.hasSuffix(".sock") ? String(path.dropLast(5)) + "-ro.sock" : path + "-ro"
    }

    /// Problems with this section, for `CabinetConfiguration.validate`.
    func problems() -> [String] {
        var problems: [String] = []
        if !(1...256).contains(maximumClients) { problems.append("maintenance.maximumClients must be 1...256, is \(maximumClients)") }
        // An empty name is a typo, not a group: it would admit only root and lockerd's own user.
        if group.isEmpty { problems.append("maintenance.group is empty: name a group, or give its gid") }
        if readOnlyGroup?.isEmpty == true {
            problems.append("maintenance.readOnlyGroup is empty: name a group, give its gid, or leave it out")
        }
        if let socketPath, socketPath.utf8.count >= 108 {
            problems.append("maintenance.socketPath is longer than a Unix socket path may be (107 bytes)")
        }
        if let listen = metricsListen {
            if let (host, port) = Self.hostAndPort(listen) {
                if !Self.isLoopback(host) {
                    problems.append("maintenance.metricsListen must be a loopback address (127.0.0.1 or ::1), is \(host)")
                }
                if !(0...65_535).contains(port) { problems.append("maintenance.metricsListen port must be 0...65535") }
            } else {
                problems.append("maintenance.metricsListen must be HOST:PORT, e.g. 127.0.0.1:9464, is \"\(listen)\"")
            }
        }
        return problems
    }

    /// "127.0.0.1:9464" or "[::1]:9464".
    static func hostAndPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }
}
