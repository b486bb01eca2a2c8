import Foundation
import LockerCore
import LockerMaintenanceProtocol

/// What the technician's reports show (`lockerctl status`, `doors`, `parcels`), projected from
/// the cabinet loop's state. Read-only and out of the custody path: it is a value taken between
/// two inputs, it decides nothing and writes nothing.
struct CabinetReportProjection {
    let model: CabinetModel
    let doors: [DoorWatchStateMachine]
    let itemPresent: [Bool?]
    let offlineBoards: Set<Int>
    let map: HardwareMap
    let configuration: CabinetConfiguration
    let now: Date

    init(_ controller: CabinetController) {
        model = controller.model
        doors = controller.doors
        itemPresent = controller.itemPresent
        offlineBoards = controller.offlineBoards
        map = controller.map
        configuration = controller.configuration
        now = controller.clock.now()
    }

    func label(_ id: Int) -> String { model.compartments[id].label }

    func doorReports() -> [DoorReport] {
        model.compartments.map { compartment in
            let id = compartment.id
            let address = map.address(of: id)
            let parcels = model.liveParcels[id] ?? []
            let offline = offlineBoards.contains(address.board)
            var alarms: [String] = []
            if case .open(_, let commanded, _, let alarmed) = doors[id].phase {
                if !commanded { alarms.append("forced_open") }
                if alarmed { alarms.append("left_open") }
            }
            if offline { alarms.append("board_offline") }
            if compartment.state == .quarantined { alarms.append("quarantined") }
            if compartment.state == .overdue { alarms.append("overdue") }
            return DoorReport(
                label: compartment.label, size: compartment.size.description, temperatureClass: compartment.temperatureClass.description,
                accessible: compartment.isAccessible, state: compartment.state.rawValue,
                quarantineReason: compartment.quarantineReason, recordedOpen: compartment.isDoorOpen,
                sensor: offline ? "unknown" : (doors[id].isOpen ? "open" : "closed"), itemPresent: itemPresent[id],
                parcels: parcels.count,
                oldestParcelSeconds: parcels.map(\.depositedAt).min().map { max(0, Int(now.timeIntervalSince($0))) },
                pending: model.pending[id].map(CabinetController.pendingName), alarms: alarms,
                board: address.board, channel: address.channel, latchCycles: compartment.latchCycles)
        }
    }

    func parcelReports() -> [ParcelReport] {
        model.allLiveParcels.map { parcel in
            ParcelReport(
                id: parcel.id, trackingNumber: parcel.trackingNumber, door: label(parcel.compartmentID),
                size: parcel.size.description, temperatureClass: parcel.temperatureClass.description, courier: parcel.courierID,
                depositedAt: parcel.depositedAt, retentionDeadline: parcel.retentionDeadline,
                ageSeconds: max(0, Int(now.timeIntervalSince(parcel.depositedAt))),
                overdue: parcel.status == .overdue || parcel.retentionDeadline <= now,
                codeInvalidated: model.codeIsInvalidated(compartment: parcel.compartmentID))
        }
    }

    func boardReports() -> [CabinetStatusReport.Board] {
        configuration.boards.map { board in
            CabinetStatusReport.Board(address: board.address, kind: board.kind, online: !offlineBoards.contains(board.address),
                                      doors: map.compartments(onBoard: board.address).count)
        }
    }

    var keypadLockedUntil: Date? {
        if case .lockedOut(let seconds) = model.attemptGuard.verdict(now: now) {
            return now.addingTimeInterval(Double(seconds))
        }
        return nil
    }
}
