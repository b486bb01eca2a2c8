/// The `kiosk` section of the configuration: the touchscreen page lockerd serves on loopback to a
/// browser in kiosk mode on the same board (see README "The touchscreen kiosk").
///
/// The page's feed carries pickup codes and its key endpoint drives deposits, and every local user
/// can reach a loopback port: so `/events` and `/key` want the token lockerd draws at each start
/// and writes, mode 0600, to `tokenPath` (the kiosk unit gets it from systemd as a credential).
/// The page itself (HTML, CSS, script) is public: it holds nothing.
public struct KioskConfiguration: Sendable, Codable, Equatable {
    /// "127.0.0.1:8088"; loopback only ("[::1]:8088" too). Port 0 lets the system choose (tests).
    public var listen: String
    /// Where the start's token is written; nil: beside the maintenance socket, "kiosk.token"
    /// (`/run/lockerd/kiosk.token` under systemd).
    public var tokenPath: String?

    /// Every key of the section (`CaseIterable` for the configuration's unknown-key check).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case listen, tokenPath
    }

    public init(listen: String = "127.0.0.1:8088", tokenPath: String? = nil) {
        self.listen = listen
        self.tokenPath = tokenPath
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        listen = try c.decodeIfPresent(String.self, forKey: .listen) ?? KioskConfiguration().listen
        tokenPath = try c.decodeIfPresent(String.self, forKey: .tokenPath)
    }

    /// The token file in effect, given the maintenance socket's path.
    public func effectiveTokenPath(maintenanceSocketPath: String) -> String {
        if let tokenPath { return tokenPath }
        let directory = maintenanceSocketPath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return (directory.isEmpty ? "." : directory) + "/kiosk.token"
    }

    /// Problems with this section, for `CabinetConfiguration.validate`.
    func problems() -> [String] {
        guard let (host, port) = MaintenanceConfiguration.hostAndPort(listen) else {
            return ["kiosk.listen must be HOST:PORT, e.g. 127.0.0.1:8088, is \"\(listen.prefix(64))\""]
        }
        var problems: [String] = []
        if MetricsHTTPEndpoint.loopbackAddress(host, port: 0) == nil {
            problems.append("kiosk.listen must be a loopback address (127.0.0.1 or ::1), is \(host.prefix(64)): the page's feed carries pickup codes")
        }
        if !(0...65_535).contains(port) { problems.append("kiosk.listen port must be 0...65535, is \(port)") }
        if let tokenPath, !tokenPath.hasPrefix("/") { problems.append("kiosk.tokenPath must be an absolute path, is \"\(tokenPath.prefix(64))\"") }
        return problems
    }
}
