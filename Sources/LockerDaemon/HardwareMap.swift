/// Which board channel drives which compartment. Kept in the daemon so that neither the custody
/// core nor the hardware layer knows about the other.
public struct HardwareMap: Sendable, Equatable {
    public struct Address: Sendable, Hashable {
        public var board: Int
        public var channel: Int
    }

    public private(set) var addressByCompartment: [Address]
    private var compartmentByAddress: [Address: Int]

    public init(_ configuration: CabinetConfiguration) {
        addressByCompartment = configuration.compartments.map { Address(board: $0.board, channel: $0.channel) }
        compartmentByAddress = [:]
        for (id, address) in addressByCompartment.enumerated() { compartmentByAddress[address] = id }
    }

    public func address(of compartmentID: Int) -> Address { addressByCompartment[compartmentID] }

    public func compartment(board: Int, channel: Int) -> Int? {
        compartmentByAddress[Address(board: board, channel: channel)]
    }

    public func compartments(onBoard board: Int) -> [Int] {
        addressByCompartment.indices.filter { addressByCompartment[$0].board == board }
    }
}
