import FoundationEssentials

extension MaintenanceRequest {
    /// Reads one request line, telling apart what was wrong with it: not JSON, a newer protocol,
    /// an unknown command, or a known command with a wrong argument.
    public static func parse(_ line: some Collection<UInt8>) -> Result<MaintenanceRequest, MaintenanceFailure> {
        let data = Data(line)
        guard let fields = try? JSONDecoder().decode(RequestHead.self, from: data) else {
            return .failure(MaintenanceFailure(.malformed, "a request is one JSON object on one line"))
        }
        guard let version = fields.version else {
            return .failure(MaintenanceFailure(.badRequest, "the request has no protocol version \"v\" (this daemon speaks \(MaintenanceProtocol.version))"))
        }
        guard version <= MaintenanceProtocol.version, version >= 1 else {
            return .failure(MaintenanceFailure(.unsupportedVersion, "protocol version \(version) is not supported; this daemon speaks \(MaintenanceProtocol.version)"))
        }
        guard let name = fields.command else {
            return .failure(MaintenanceFailure(.badRequest, "the request has no \"command\""))
        }
        guard MaintenanceProtocol.Command(rawValue: name) != nil else {
            let known = MaintenanceProtocol.Command.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(MaintenanceFailure(.unknownCommand, "unknown command \"\(name.prefix(64))\"; known: \(known)"))
        }
        do {
            return .success(try MaintenanceProtocol.decoder().decode(MaintenanceRequest.self, from: data))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
            let DecodingError.dataCorrupted(context)
        {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            return .failure(MaintenanceFailure(.badRequest, "argument \"\(field)\" has the wrong type"))
        } catch {
            return .failure(MaintenanceFailure(.badRequest, "the request could not be read: \(error)"))
        }
    }
}

/// The two fields every request has, read before the request itself so that a wrong one is named:
/// decoding fails only when the line is not a JSON object; a missing or mistyped field is nil.
private struct RequestHead: Decodable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    let version: Int?
    let command: String?

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: Key.self)
        version = try? fields.decode(Int.self, forKey: Key(stringValue: "v"))
        command = try? fields.decode(String.self, forKey: Key(stringValue: "command"))
    }
}
