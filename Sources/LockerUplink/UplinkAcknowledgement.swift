/// The server's answer to an upload (`Acknowledgement` in openapi.yaml).
public struct UplinkAcknowledgement: Sendable, Codable, Equatable {
    /// A downlink command (`Command` in openapi.yaml), kept as the server sent it.
    public struct Command: Sendable, Codable, Equatable {
        public var id: String
        public var type: String

        public init(id: String, type: String) {
            self.id = id
            self.type = type
        }
    }

    public var epoch: String
    /// Highest sequence of `epoch` up to which the server has stored every event.
    public var ackedSequence: Int64
    public var commands: [Command]?

    public init(epoch: String, ackedSequence: Int64, commands: [Command]? = nil) {
        self.epoch = epoch
        self.ackedSequence = ackedSequence
        self.commands = commands
    }
}

/// An error answer (`Problem` in openapi.yaml).
public struct UplinkProblem: Sendable, Codable, Equatable {
    public var code: String
    public var message: String
    public var ackedSequence: Int64?

    public init(code: String, message: String, ackedSequence: Int64? = nil) {
        self.code = code
        self.message = message
        self.ackedSequence = ackedSequence
    }
}
