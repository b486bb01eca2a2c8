public import LockerHAL
public import LockerInput

/// A 3x4 or 4x4 matrix keypad wired straight to GPIO lines: each key connects one row line to one
/// column line. Columns are driven outputs, rows are inputs watched for edges; the debouncing,
/// one-key-per-press and ghost refusal are `MatrixKeypadDecoder`'s.
///
/// ## Scanning without polling
///
/// At rest every column is driven active and the keypad waits for an edge on any row: a pressed
/// key then pulls its row active, and nothing runs while nobody touches the keypad. On an edge it
/// scans, one column active at a time, reading every row, every `scanInterval`, until the decoder
/// says every key is released and settled; then it drives all columns again and waits.
///
/// Scanning toggles the rows of a held key, and the kernel queues those edges too. They wake one
/// scan that finds nothing when the keypad is back at rest; that costs less than telling them
/// apart by timestamp, and no edge is ever thrown away, so no press can be missed.
///
/// ## Wiring
///
/// The usual wiring: rows with pull-up resistors (external ones; the driver sets no bias), columns
/// driven low when active, so both are active-low. Columns are push-pull outputs: two keys pressed
/// in one row connect an active column to an inactive one, so put a resistor (about 1 kΩ) in
/// series with every column, or a diode per key, to keep that from shorting two outputs.
///
/// ## Life cycle
///
/// `init` only checks the configuration. `run(delivering:)` opens the chip, requests the columns
/// (inactive from the first instant) and the rows, and delivers `.key` events until cancelled; on
/// every way out (cancellation, an error) it drives the columns inactive and gives every line
/// back, so a supervisor can simply call `run` again.
public final class GPIOMatrixKeypad: HardwareEventSource {
    public struct Configuration: Sendable, Equatable {
        /// Names the keypad in errors ("row 2 of keypad "front panel"").
        public var name: String
        public var chip: String
        /// Row lines in layout order: the first is the layout's first row.
        public var rows: [GPIOLineAddress]
        /// Column lines in layout order.
        public var columns: [GPIOLineAddress]
        /// A row reads active when physically low (pull-up rows, the usual wiring).
        public var rowsActiveLow: Bool
        /// A column is driven low when active.
        public var columnsActiveLow: Bool
        public var layout: MatrixKeypadDecoder.Layout
        /// What each legend means to the panel; legends not in it type nothing.
        public var keys: [Character: HardwareKey]
        /// How often a key is scanned while one is pressed.
        public var scanInterval: Duration
        /// How many consecutive scans a contact must read the same before it counts.
        public var debounceScans: Int

        /// Digits type themselves; '*' clears, '#' enters; on a 4x4 keypad 'A' is the courier menu
        /// and 'B' goes back. 'C' and 'D' have no use yet and type nothing.
        public static let defaultKeys: [Character: HardwareKey] = {
            var keys: [Character: HardwareKey] = ["*": .clear, "#": .enter, "A": .menu, "B": .back]
            for digit in UInt8(0)...9 { keys[Character(String(digit))] = .digit(digit) }
            return keys
        }()

        public init(
            name: String = "front panel",
            chip: String,
            rows: [GPIOLineAddress],
            columns: [GPIOLineAddress],
            rowsActiveLow: Bool = true,
            columnsActiveLow: Bool = true,
            layout: MatrixKeypadDecoder.Layout = .threeByFour,
            keys: [Character: HardwareKey] = Self.defaultKeys,
            scanInterval: Duration = .milliseconds(10),
            debounceScans: Int = 3
        ) {
            self.name = name
            self.chip = chip
            self.rows = rows
            self.columns = columns
            self.rowsActiveLow = rowsActiveLow
            self.columnsActiveLow = columnsActiveLow
            self.layout = layout
            self.keys = keys
            self.scanInterval = scanInterval
            self.debounceScans = debounceScans
        }

        /// What is wrong with this configuration, one sentence each; empty when it can be used.
        public var problems: [String] {
            var problems: [String] = []
            if rows.isEmpty { problems.append("it has no row lines") }
            if columns.isEmpty { problems.append("it has no column lines") }
            if layout.rowCount != rows.count || layout.columnCount != columns.count {
                problems.append(
                    "its layout is \(layout.columnCount) columns by \(layout.rowCount) rows, but \(columns.count) column "
                        + "and \(rows.count) row lines are configured"
                )
            }
            var seen: Set<GPIOLineAddress> = []
            for line in rows + columns where !seen.insert(line).inserted {
                problems.append("\(line) is configured more than once")
            }
            if scanInterval <= .zero { problems.append("its scan interval must be longer than zero") }
            if debounceScans < 1 { problems.append("its debounce must be at least one scan") }
            return problems
        }
    }

    /// The consumer name the kernel shows for our lines (`gpioinfo`).
    public static let consumer = "lockerd keypad"

    /// How long one wait for a row edge lasts at rest. Only cancellation needs it: the real
    /// driver's poll(2) does not notice cancellation, so this bounds how late `run` ends.
    static let restWait: Duration = .milliseconds(500)

    public let configuration: Configuration
    private let driver: any GPIOLineDriver
    private let pause: @Sendable (Duration) async throws -> Void

    /// - Parameters:
    ///   - driver: `LibgpiodV1LineDriver()` on real hardware, `ScriptedGPIOLineDriver` (in `LockerTesting`) in tests.
    ///   - pause: waits between two scans; tests pass one that does not sleep.
    public init(
        configuration: Configuration,
        driver: any GPIOLineDriver = LibgpiodV1LineDriver(),
        pause: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) throws {
        let problems = configuration.problems
        guard problems.isEmpty else {
            throw HardwareError.io(
                device: "keypad \"\(configuration.name)\"", operation: "checking the configuration",
                detail: problems.joined(separator: "; ")
            )
        }
        self.configuration = configuration
        self.driver = driver
        self.pause = pause
    }

    // MARK: - HardwareEventSource

    /// Delivers `.key` for every key pressed alone, until cancelled (then it returns). Throws when a
    /// line cannot be taken or the driver fails, naming the line.
    public func run(delivering handler: any HardwareEventHandler) async throws {
        let lines = try requestLines()
        defer { give(back: lines) }

        var decoder = MatrixKeypadDecoder(layout: configuration.layout, debounceScans: configuration.debounceScans)
        while !Task.isCancelled {
            try drive(lines.columns, active: true)
            guard try await waitForRowEdge(on: lines.rows) else { return }
            try drive(lines.columns, active: false)
            repeat {
                let closed = try scan(lines)
                if let legend = decoder.feed(scan: closed), let key = configuration.keys[legend] {
                    await handler.handle(.key(key))
                }
                if decoder.isAtRest { break }
                do {
                    try await pause(configuration.scanInterval)
                } catch is CancellationError {
                    return
                }
            } while !Task.isCancelled
        }
    }

    // MARK: - Lines

    private struct RequestedLines {
        let chip: GPIOChipHandle
        var columns: [GPIOLineHandle] = []
        var rows: [GPIOLineHandle] = []
    }

    /// Opens the chip and takes every line, columns inactive from the first instant. On failure it
    /// gives back whatever it took, so the next `run` finds the lines free.
    private func requestLines() throws -> RequestedLines {
        let chip = try driver.openChip(configuration.chip)
        var lines = RequestedLines(chip: chip)
        do {
            var roleByOffset: [Int: String] = [:]
            func find(_ address: GPIOLineAddress, as role: String) throws -> GPIOLineHandle {
                let line = try describing(role) { try driver.findLine(address, on: chip) }
                // A name and an offset can reach the same line; only the chip knows.
                if let earlier = roleByOffset[line.offset] {
                    throw HardwareError.io(
                        device: line.description, operation: "assigning lines",
                        detail: "the line is configured both as \(earlier) and as \(role)"
                    )
                }
                roleByOffset[line.offset] = role
                return line
            }
            for (index, address) in configuration.columns.enumerated() {
                let role = columnRole(index)
                let column = try find(address, as: role)
                try describing(role) {
                    try driver.requestOutput(
                        column, activeLow: configuration.columnsActiveLow, initiallyActive: false, consumer: Self.consumer
                    )
                }
                lines.columns.append(column)
            }
            for (index, address) in configuration.rows.enumerated() {
                let role = rowRole(index)
                let row = try find(address, as: role)
                try describing(role) {
                    try driver.requestBothEdgeEvents(row, activeLow: configuration.rowsActiveLow, consumer: Self.consumer)
                }
                lines.rows.append(row)
            }
        } catch {
            give(back: lines)
            throw error
        }
        return lines
    }

    /// Columns inactive (best effort: the error that brought us here is the one worth reporting,
    /// and a column left active only pulls a row), then every line and the chip given back.
    private func give(back lines: RequestedLines) {
        for column in lines.columns { try? driver.setValue(false, of: column) }
        for column in lines.columns { driver.release(column) }
        for row in lines.rows { driver.release(row) }
        driver.closeChip(lines.chip)
    }

    private func drive(_ columns: [GPIOLineHandle], active: Bool) throws {
        for (index, column) in columns.enumerated() {
            try describing(columnRole(index)) { try driver.setValue(active, of: column) }
        }
    }

    /// Waits at rest until a row changes. False when cancelled.
    private func waitForRowEdge(on rows: [GPIOLineHandle]) async throws -> Bool {
        while !Task.isCancelled {
            do {
                let edges = try await driver.waitForEdgeEvents(on: rows, timeout: Self.restWait)
                if !edges.isEmpty { return true }
            } catch is CancellationError {
                return false
            }
        }
        return false
    }

    /// One full scan: each column active alone while every row is read. Columns are all inactive
    /// before and after. The rows settle within microseconds of the column changing, well inside
    /// the time the next system call takes.
    private func scan(_ lines: RequestedLines) throws -> Set<MatrixKeypadDecoder.Contact> {
        var closed: Set<MatrixKeypadDecoder.Contact> = []
        for (columnIndex, column) in lines.columns.enumerated() {
            try describing(columnRole(columnIndex)) { try driver.setValue(true, of: column) }
            do {
                for (rowIndex, row) in lines.rows.enumerated() {
                    let active = try describing(rowRole(rowIndex)) { try driver.readValue(of: row) }
                    if active { closed.insert(MatrixKeypadDecoder.Contact(row: rowIndex, column: columnIndex)) }
                }
            } catch {
                try? driver.setValue(false, of: column)
                throw error
            }
            try describing(columnRole(columnIndex)) { try driver.setValue(false, of: column) }
        }
        return closed
    }

    // MARK: - Errors

    private func rowRole(_ index: Int) -> String {
        "row \(index + 1) of keypad \"\(configuration.name)\""
    }

    private func columnRole(_ index: Int) -> String {
        "column \(index + 1) of keypad \"\(configuration.name)\""
    }

    /// Adds which row or column a line is to a driver error, so the log names the keypad's wire as
    /// well as the chip and line.
    private func describing<T>(_ role: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as HardwareError {
            switch error {
            case .deviceMissing(let device, let detail):
                throw HardwareError.deviceMissing(device: "\(device), \(role)", detail: detail)
            case .io(let device, let operation, let detail):
                throw HardwareError.io(device: "\(device), \(role)", operation: operation, detail: detail)
            default:
                throw error
            }
        }
    }
}
