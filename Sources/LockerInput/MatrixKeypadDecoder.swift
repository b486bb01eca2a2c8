/// Turns full scans of a matrix keypad (which row/column contacts read closed) into key presses.
/// Pure: it counts scans and never looks at a clock, so the caller's scan interval times it and
/// tests feed it exact sequences.
///
/// - Debounce: a contact changes state only after it has read its new state for `debounceScans`
///   consecutive scans; a bounce shorter than that is never seen.
/// - One press, one key: a key is reported once when it becomes the only contact pressed, and
///   holding it reports nothing more (a keypad for codes has no use for autorepeat).
/// - Ambiguity is refused: a keypad without diodes cannot tell two pressed keys from ghost keys
///   (three keys at the corners of a rectangle make the fourth read closed too), so two or more
///   contacts at once report nothing, and nothing is reported again until every key is released.
///   Otherwise a finger rolling from one key to the next could type a key nobody pressed.
public struct MatrixKeypadDecoder: Sendable {
    /// A key position: row `row` connected to column `column`, both counted from 0 in line order.
    public struct Contact: Sendable, Hashable, CustomStringConvertible {
        public let row: Int
        public let column: Int

        public init(row: Int, column: Int) {
            self.row = row
            self.column = column
        }

        public var description: String { "row \(row), column \(column)" }
    }

    /// The legend printed on each key, row by row as the row lines are ordered and, within a row,
    /// column by column. Rows may be shorter than the widest one: positions without a legend are
    /// keys that type nothing (they still count as pressed, for ambiguity).
    public struct Layout: Sendable, Equatable {
        public let rows: [[Character]]

        public init(rows: [String]) {
            self.rows = rows.map(Array.init)
        }

        /// The common 3x4 telephone keypad: four rows, three columns.
        public static let threeByFour = Layout(rows: ["123", "456", "789", "*0#"])
        /// The common 4x4 keypad: the telephone keys plus A to D in a fourth column.
        public static let fourByFour = Layout(rows: ["123A", "456B", "789C", "*0#D"])

        public var rowCount: Int { rows.count }
        public var columnCount: Int { rows.map(\.count).max() ?? 0 }

        public func legend(at contact: Contact) -> Character? {
            guard rows.indices.contains(contact.row), rows[contact.row].indices.contains(contact.column) else {
                return nil
            }
            return rows[contact.row][contact.column]
        }

        /// Where the key with this legend sits (the first one, if a legend repeats).
        public func contact(of legend: Character) -> Contact? {
            for (row, legends) in rows.enumerated() {
                if let column = legends.firstIndex(of: legend) { return Contact(row: row, column: column) }
            }
            return nil
        }

        func contains(_ contact: Contact) -> Bool {
            (0..<rowCount).contains(contact.row) && (0..<columnCount).contains(contact.column)
        }
    }

    public let layout: Layout
    public let debounceScans: Int
    /// The debounced contacts: those that read closed for `debounceScans` scans in a row.
    public private(set) var pressed: Set<Contact> = []
    /// Per contact that reads against its debounced state: for how many scans in a row it has.
    private var unsettled: [Contact: Int] = [:]
    /// The key reported for the current press, so that holding it does not report it again.
    private var reportedKey: Contact?
    /// Two or more keys were pressed at once since all keys were last released.
    private var refusingUntilReleased = false

    /// - Parameter debounceScans: how many consecutive scans a contact must read the same before
    ///   its change counts; 1 takes every scan as it is. Values below 1 count as 1.
    public init(layout: Layout, debounceScans: Int = 3) {
        self.layout = layout
        self.debounceScans = max(1, debounceScans)
    }

    /// Nothing is pressed and nothing is changing: a scanner may stop scanning and wait for the
    /// next contact to close.
    public var isAtRest: Bool { pressed.isEmpty && unsettled.isEmpty }

    /// Feeds one full scan: every contact that read closed. Returns the legend of a key that has
    /// just become the one key stably pressed, or nil. Contacts outside the layout are ignored.
    public mutating func feed(scan closed: Set<Contact>) -> Character? {
        let closed = closed.filter(layout.contains)
        for contact in closed.union(pressed).union(unsettled.keys) {
            guard closed.contains(contact) != pressed.contains(contact) else {
                unsettled[contact] = nil
                continue
            }
            let scans = (unsettled[contact] ?? 0) + 1
            if scans >= debounceScans {
                unsettled[contact] = nil
                if closed.contains(contact) { pressed.insert(contact) } else { pressed.remove(contact) }
            } else {
                unsettled[contact] = scans
            }
        }
        return decidePress()
    }

    private mutating func decidePress() -> Character? {
        if pressed.isEmpty {
            reportedKey = nil
            refusingUntilReleased = false
            return nil
        }
        if pressed.count > 1 {
            refusingUntilReleased = true
            return nil
        }
        // Another contact still settling may turn this into a two-key state: wait until the
        // whole keypad reads stable before deciding that one key alone is pressed.
        guard !refusingUntilReleased, unsettled.isEmpty, let key = pressed.first, key != reportedKey else {
            return nil
        }
        reportedKey = key
        return layout.legend(at: key)
    }
}
