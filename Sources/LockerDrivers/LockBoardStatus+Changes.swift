import LockerHAL

extension LockBoardStatus {
    /// The door and item events that lead from `previous` to this status, channel by channel
    /// (door before item), for drivers that find changes by polling.
    func changes(since previous: LockBoardStatus, board: Int) -> [HardwareEvent] {
        // Item changes first: an item can only change while its door is open, so when one poll
        // sees both, the item changed before the door closed, and the daemon must know what is
        // inside when it settles the closing door.
        var items: [HardwareEvent] = []
        var doors: [HardwareEvent] = []
        for index in doorOpen.indices {
            let channel = index + 1
            if index < previous.doorOpen.count, previous.doorOpen[index] != doorOpen[index] {
                doors.append(.doorChanged(board: board, channel: channel, isOpen: doorOpen[index]))
            }
            if let present = itemPresent, let before = previous.itemPresent, index < present.count, index < before.count,
               present[index] != before[index] {
                items.append(.itemChanged(board: board, channel: channel, isPresent: present[index]))
            }
        }
        return items + doors
    }
}
