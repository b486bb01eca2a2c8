public import LockerCore
public import LockerDrivers

extension CabinetConfiguration {
    /// The display people read: an HD44780 character LCD behind a PCF8574 I2C backpack
    /// ("hd44780-i2c"), or a text file/FIFO a separate screen process shows ("file"). Without
    /// one, messages go to the simulated cabinet's front panel.
    public struct DisplayEntry: Sendable, Codable, Equatable {
        public var kind: String
        /// hd44780-i2c: the bus ("/dev/i2c-1") and the backpack's 7-bit address (39, or "0x27").
        public var bus: String?
        public var address: Int?
        public var columns: Int
        public var rows: Int
        /// file: where each message is written (a FIFO the screen process reads, or a file).
        public var path: String?
        /// file: "text" (default), each message worded in the panel's language; or "json", each
        /// message as a JSON line with its catalogue id and parameters (`PanelMessage.jsonLine`),
        /// for a screen process that renders or translates it itself.
        public var format: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case kind, bus, address, columns, rows, path, format
        }

        public init(kind: String, bus: String? = nil, address: Int? = nil, columns: Int = 16, rows: Int = 2, path: String? = nil,
                    format: String? = nil) {
            self.kind = kind
            self.bus = bus
            self.address = address
            self.columns = columns
            self.rows = rows
            self.path = path
            self.format = format
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decode(String.self, forKey: .kind)
            bus = try c.decodeIfPresent(String.self, forKey: .bus)
            // Datasheets and i2cdetect print addresses in hex; accept both spellings.
            if let number = try? c.decodeIfPresent(Int.self, forKey: .address) {
                address = number
            } else if let text = try c.decodeIfPresent(String.self, forKey: .address) {
                let digits = text.lowercased().hasPrefix("0x") ? String(text.dropFirst(2)) : text
                guard let parsed = Int(digits, radix: 16) else {
                    throw DecodingError.dataCorruptedError(forKey: .address, in: c, debugDescription: "\"\(text)\" is not an I2C address like 0x27")
                }
                address = parsed
            }
            columns = try c.decodeIfPresent(Int.self, forKey: .columns) ?? 16
            rows = try c.decodeIfPresent(Int.self, forKey: .rows) ?? 2
            path = try c.decodeIfPresent(String.self, forKey: .path)
            format = try c.decodeIfPresent(String.self, forKey: .format)
        }

        /// Messages go to the display as JSON lines (a file display with format "json").
        public var writesJSONLines: Bool { kind == "file" && format == "json" }
    }

    /// A buzzer on one GPIO output line (through a transistor).
    public struct BuzzerEntry: Sendable, Codable, Equatable {
        public var chip: String
        public var line: GPIOLineAddress
        public var activeLow: Bool

        enum CodingKeys: String, CodingKey, CaseIterable {
            case chip, line, activeLow
        }

        public init(chip: String, line: GPIOLineAddress, activeLow: Bool = false) {
            self.chip = chip
            self.line = line
            self.activeLow = activeLow
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            chip = try c.decode(String.self, forKey: .chip)
            line = try c.decode(GPIOLineAddress.self, forKey: .line)
            activeLow = try c.decodeIfPresent(Bool.self, forKey: .activeLow) ?? false
        }
    }

    func feedbackProblems() -> [String] {
        guard let display else {
            // Without a display the daemon shows messages on the simulated cabinet's front panel,
            // which only a fully simulated cabinet has. A real cabinet where people enter codes
            // (a keypad, or a scanner for badges and QR codes) would then take a deposit whose
            // pickup code nobody sees.
            guard !isFullySimulated, !(keypads.isEmpty && scanners.isEmpty) else { return [] }
            return ["keypads or scanners are configured but no display: a courier could never be shown a pickup code; "
                    + "configure \"display\" (kind hd44780-i2c, or file for a screen process that shows what it reads)"]
        }
        switch display.kind {
        case "hd44780-i2c":
            var problems: [String] = []
            if (display.bus ?? "").isEmpty { problems.append("display: an hd44780-i2c display needs its bus, e.g. /dev/i2c-1") }
            if !(0x03...0x77).contains(display.address ?? -1) { problems.append("display: address must be an I2C address 0x03...0x77, e.g. 0x27") }
            if display.format != nil { problems.append("display: format is for a file display; an LCD shows text") }
            if HD44780Commands.Geometry(columns: display.columns, rows: display.rows) == nil {
                problems.append("display: \(display.columns)x\(display.rows) is not a size an HD44780 drives (16x2 and 20x4 are common)")
            }
            return problems
        case "file":
            var problems: [String] = []
            if (display.path ?? "").isEmpty { problems.append("display: a file display needs its path") }
            if let format = display.format, !["text", "json"].contains(format) {
                problems.append("display: format must be text or json, is \"\(format.prefix(32))\"")
            }
            return problems
        default:
            return ["display: kind must be hd44780-i2c or file, is \"\(display.kind)\""]
        }
    }
}

extension CabinetConfiguration {
    /// The display draws only ASCII: an HD44780's character ROM has no Chinese glyphs, so the
    /// panel shows it English whatever the language (English is the honest fallback: "?" for
    /// every character would hide the message, the pickup code's label included).
    public var displayIsASCIIOnly: Bool { display?.kind == "hd44780-i2c" }

    /// The character LCD's cells, which messages are paged to fit; nil for a display that shows
    /// running text (a screen process, the simulated front panel, the log).
    public var characterScreenLayout: CharacterScreenLayout? {
        guard let display, display.kind == "hd44780-i2c", display.columns >= 2, display.rows >= 1 else { return nil }
        return CharacterScreenLayout(columns: display.columns, rows: display.rows)
    }
}
