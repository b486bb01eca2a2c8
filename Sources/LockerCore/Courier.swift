/// A courier allowed to deposit and retrieve. Credentials come from the configuration for now
/// (the central server's credential list replaces them later).
public struct Courier: Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var carrier: String

    public init(id: String, name: String, carrier: String = "") {
        self.id = id
        self.name = name
        self.carrier = carrier
    }
}
