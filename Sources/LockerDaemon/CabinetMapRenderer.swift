import Foundation
import LockerCore

/// Renders the cabinet as a table a person can read at a glance: every door with its size, class,
/// state, door and item sensor, parcels and how long they have waited.
enum CabinetMapRenderer {
    static func render(_ controller: CabinetController, now: Date) -> String {
        var lines = ["door size class    state        door    item  parcels"]
        for compartment in controller.model.compartments {
            let id = compartment.id
            let parcels = controller.model.liveParcels[id] ?? []
            var state = compartment.state.rawValue
            if controller.model.offline.contains(id) { state = "offline" }
            switch controller.model.pending[id] {
            case .deposit?: state += "+deposit"
            case .cancelledDeposit?: state += "+cancelled"
            case .pickup?: state += "+pickup"
            case .retrieval?: state += "+retrieval"
            case nil: break
            }
            let door = controller.doors[id].isOpen ? "OPEN" : "closed"
            let item: String
            switch controller.itemPresent[id] {
            case true?: item = "yes"
            case false?: item = "no"
            case nil: item = "-"
            }
            let descriptions: [String] = parcels.map { (parcel: Parcel) -> String in
                let hours = now.timeIntervalSince(parcel.depositedAt) / 3600
                return "\(parcel.trackingNumber) (\(String(format: "%.1f", hours)) h\(parcel.status == .overdue ? ", OVERDUE" : ""))"
            }
            var parcelText: String = descriptions.joined(separator: ", ")
            if let reason = compartment.quarantineReason, compartment.state == .quarantined {
                parcelText = parcelText + " [" + reason + "]"
            }
            let size: String = compartment.size.description + (compartment.isAccessible ? "*" : "")
            var line: String = pad(compartment.label, 5)
            line += pad(size, 5)
            line += pad(compartment.temperatureClass.description, 9)
            line += pad(state, 13)
            line += pad(door, 8)
            line += pad(item, 6)
            line += parcelText
            lines.append(line)
        }
        lines.append("(* accessible height)")
        return lines.joined(separator: "\n")
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
