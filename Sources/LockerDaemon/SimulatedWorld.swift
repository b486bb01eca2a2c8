public import Foundation
public import LockerSimulator

/// Decides whether the daemon builds the in-process simulated cabinet, and builds it.
///
/// It is needed by in-process `simulated` boards, as the physical world (doors, parcels) behind
/// the simulated firmware of `simulated-*` boards on pseudo-terminals, and by simulated cold
/// zones. A cabinet of real boards has no simulator at all: nothing of it can print, beep or
/// deliver events there.
public enum SimulatedWorld {
    public static func isNeeded(by configuration: CabinetConfiguration) -> Bool {
        configuration.boards.contains(where: \.isSimulated)
            || configuration.zones.contains { $0.probe.kind == "simulated" || $0.relay.kind == "simulated" }
    }

    /// The simulated cabinet with every configured board (a zone may watch doors on any of them),
    /// its physical state kept in `stateDirectory`; nil when the configuration needs none.
    public static func make(for configuration: CabinetConfiguration, stateDirectory: URL,
                            output: @escaping @Sendable (String) -> Void) -> SimulatedCabinet? {
        guard isNeeded(by: configuration) else { return nil }
        return SimulatedCabinet(
            boards: configuration.boards.map {
                SimulatedCabinet.BoardSpec(address: $0.address, channelCount: $0.channels, hasItemSensors: $0.hasItemSensors)
            },
            stateFile: stateDirectory.appendingPathComponent("simulated-cabinet.json"),
            output: output)
    }
}
