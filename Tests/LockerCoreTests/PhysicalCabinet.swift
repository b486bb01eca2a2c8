import Foundation

/// The physical world the custody core is tested against: what is really behind each door, which
/// doors are really open, which latches jam, which boards answer. Nothing here knows about
/// custody; it is what a person standing at the cabinet would see.
struct PhysicalCabinet {
    struct Door {
        /// Compartments of one board go silent together.
        let board: Int
        /// Boards with an infrared "item present" sensor report it per door.
        let hasItemSensor: Bool
        var isOpen = false
        /// Parcels inside, by tracking number, with their recipient.
        var items: [String: String] = [:]
        /// A jammed latch does not open when pulsed.
        var latchJammed = false

        /// What the item sensor says now (nil: there is none).
        var itemSensor: Bool? { hasItemSensor ? !items.isEmpty : nil }
    }

    var doors: [Door]
    var boardOnline: [Bool]

    init(doors: [Door], boards: Int) {
        self.doors = doors
        self.boardOnline = Array(repeating: true, count: boards)
    }

    /// Whether the board behind a door answers.
    func answers(_ id: Int) -> Bool { boardOnline[doors[id].board] }

    /// A latch pulse: the door opens unless the latch is jammed. Returns whether the board
    /// accepted the command (a silent board accepts nothing).
    mutating func pulse(_ id: Int) -> Bool {
        guard answers(id) else { return false }
        if !doors[id].latchJammed { doors[id].isOpen = true }
        return true
    }
}
