import Foundation
import LockerCore
import LockerColdChain
public import LockerDrivers
public import LockerHAL
public import LockerSimulator
public import Logging

/// Builds each zone's probe and relay from the configuration: DS18B20 probes and GPIO relays on a
/// board, or a simulated zone (a thermal model behind both) for the simulated cabinet and tests.
public enum ColdChainHardware {
    /// - Parameters:
    ///   - cabinet: the simulated cabinet whose doors a simulated zone's model warms up through;
    ///     always there when a zone is simulated (see `SimulatedWorld`).
    ///   - boards: the lock-board drivers (a zone's probe may be on one of our own boards).
    public static func build(configuration: CabinetConfiguration, cabinet: SimulatedCabinet?, clock: ColdChainService.SimulationClock,
                             boards: [any LockBoard] = [], logger: Logger) -> (hardware: [String: ColdChainService.ZoneHardware], relays: [GPIORelay]) {
        var hardware: [String: ColdChainService.ZoneHardware] = [:]
        var relays: [GPIORelay] = []
        for zone in configuration.zones {
            let entries = configuration.compartments.filter { entry in
                zone.compartments.contains { CompartmentLabel.same($0, entry.label) }
            }
            let doors = entries.map { (board: $0.board, channel: $0.channel) }
            var simulated: SimulatedColdZone?
            if zone.probe.kind == "simulated" || zone.relay.kind == "simulated" {
                var model: ThermalZoneModel
                switch entries.first?.temperatureClass.lowercased() {
                case "frozen": model = .frozen
                case "heated": model = .heated
                default: model = .chilled
                }
                // Start where the thermostat would keep it: a simulated cabinet is not delivered warm.
                model.celsius = (zone.lowCelsius + zone.highCelsius) / 2
                simulated = SimulatedColdZone(
                    name: zone.name, model: model, now: { clock.now() },
                    doorOpen: { doors.contains { cabinet?.isDoorOpen(board: $0.board, channel: $0.channel) ?? false } })
            }
            let probe: any TemperatureProbe
            if zone.probe.kind == "ds18b20", let id = zone.probe.id {
                probe = DS18B20Probe(name: zone.name, deviceID: id, baseDirectory: zone.probe.baseDirectory ?? DS18B20Probe.defaultBaseDirectory)
            } else if zone.probe.kind == "own-board", let address = zone.probe.board, let number = zone.probe.number {
                let driver = boards.lazy.compactMap { board -> OwnProtocolLockBoard? in
                    guard board.address == address else { return nil }
                    return (board as? OwnProtocolLockBoard) ?? ((board as? ReaddressedLockBoard)?.inner as? OwnProtocolLockBoard)
                }.first
                probe = OwnBoardTemperatureProbe(name: zone.name, board: address, probe: UInt8(clamping: number)) {
                    guard let driver else {
                        throw HardwareError.deviceMissing(device: "board \(address)", detail: "no driver of our own protocol at this address")
                    }
                    return try await driver.readTemperatures()
                }
            } else {
                probe = simulated!
            }
            let relay: any Relay
            if zone.relay.kind == "gpio", let chip = zone.relay.chip, let line = zone.relay.line {
                do {
                    // Requested in the safe state (off) from the first instant: a restarted
                    // daemon never starts a compressor by accident.
                    let created = try GPIORelay(name: zone.name, chip: chip, line: line, activeLow: zone.relay.activeLow ?? false,
                                                safeOn: false, logger: logger)
                    relays.append(created)
                    relay = created
                } catch {
                    logger.error("relay of a cold zone cannot be used", metadata: ["zone": "\(zone.name)", "error": "\(error)"])
                    relay = UnavailableRelay(name: zone.name, reason: "\(error)")
                }
            } else if zone.relay.kind == "own-board", let address = zone.relay.board, let number = zone.relay.number,
                      let driver = boards.lazy.compactMap({ $0.address == address ? OwnBoardIndicatorLights.ownDriver($0) : nil }).first {
                relay = OwnBoardRelay(name: zone.name, board: driver, relay: number, logger: logger)
            } else if zone.relay.kind == "own-board" {
                relay = UnavailableRelay(name: zone.name, reason: "no board of our own protocol at address \(zone.relay.board ?? -1)")
            } else {
                relay = simulated!
            }
            hardware[zone.name] = ColdChainService.ZoneHardware(probe: probe, relay: relay, simulated: simulated)
        }
        return (hardware, relays)
    }

    /// Cold compartments no zone watches: they have no control and no record.
    public static func unwatchedColdCompartments(_ configuration: CabinetConfiguration) -> [String] {
        configuration.compartments.filter { entry in
            entry.temperatureClass.lowercased() != "ambient"
                && !configuration.zones.contains { $0.compartments.contains { CompartmentLabel.same($0, entry.label) } }
        }.map(\.label)
    }
}

/// A relay that could not be opened: every switch fails with the reason, so the zone's status and
/// log say why its compressor does not run.
struct UnavailableRelay: Relay {
    let name: String
    let reason: String

    func set(on: Bool) async throws {
        throw HardwareError.io(device: "relay \(name)", operation: "switch \(on ? "on" : "off")", detail: reason)
    }

    func setSafeState() async {}
}
