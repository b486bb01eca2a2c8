public import LockerDrivers

extension CabinetConfiguration {
    /// How the configuration finds a USB device when no fixed path is given: the vendor and
    /// product ids (lower-case hex, as `lsusb` prints them) and, to tell two identical scanners
    /// apart, the serial number.
    public struct DeviceMatchEntry: Sendable, Codable, Equatable {
        public var vendor: String
        public var product: String
        public var serial: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case vendor, product, serial
        }

        public init(vendor: String, product: String, serial: String? = nil) {
            self.vendor = vendor
            self.product = product
            self.serial = serial
        }
    }

    /// A barcode/QR scanner: USB CDC serial ("serial", a tty) or USB HID keyboard mode ("hid", an
    /// evdev node). Found by `device` (best a stable /dev/locker/... symlink from the udev rules)
    /// or by `match`.
    public struct ScannerEntry: Sendable, Codable, Equatable {
        /// Named in the log and the audit (which scanner read a code).
        public var name: String
        public var kind: String
        public var device: String?
        public var match: DeviceMatchEntry?
        /// Serial scanners only.
        public var baud: Int
        /// HID scanners set to another national layout: key code → the two characters it types,
        /// unshifted then shifted, over the US layout (German: `{"21": "zZ", "44": "yY"}`).
        public var layout: [String: String]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, kind, device, match, baud, layout
        }

        public init(name: String, kind: String = "serial", device: String? = nil, match: DeviceMatchEntry? = nil, baud: Int = 9_600,
                    layout: [String: String] = [:]) {
            self.name = name
            self.kind = kind
            self.device = device
            self.match = match
            self.baud = baud
            self.layout = layout
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? "serial"
            device = try c.decodeIfPresent(String.self, forKey: .device)
            match = try c.decodeIfPresent(DeviceMatchEntry.self, forKey: .match)
            baud = try c.decodeIfPresent(Int.self, forKey: .baud) ?? 9_600
            layout = try c.decodeIfPresent([String: String].self, forKey: .layout) ?? [:]
        }
    }

    /// A keypad: a USB HID numeric keypad ("hid", found like a scanner) or a matrix keypad on GPIO
    /// lines ("matrix").
    public struct KeypadEntry: Sendable, Codable, Equatable {
        public var name: String
        public var kind: String
        public var device: String?
        public var match: DeviceMatchEntry?
        public var matrix: MatrixEntry?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, kind, device, match, matrix
        }

        public init(name: String, kind: String = "hid", device: String? = nil, match: DeviceMatchEntry? = nil, matrix: MatrixEntry? = nil) {
            self.name = name
            self.kind = kind
            self.device = device
            self.match = match
            self.matrix = matrix
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? "hid"
            device = try c.decodeIfPresent(String.self, forKey: .device)
            match = try c.decodeIfPresent(DeviceMatchEntry.self, forKey: .match)
            matrix = try c.decodeIfPresent(MatrixEntry.self, forKey: .matrix)
        }
    }

    /// A 3x4 or 4x4 matrix keypad: columns are driven one at a time, rows are read.
    public struct MatrixEntry: Sendable, Codable, Equatable {
        public var chip: String
        public var rows: [GPIOLineAddress]
        public var columns: [GPIOLineAddress]
        /// Lines wired active-low (the usual pull-up wiring).
        public var activeLow: Bool
        /// "3x4" (123/456/789/*0#) or "4x4" (with A-D in a fourth column).
        public var layout: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case chip, rows, columns, activeLow, layout
        }

        public init(chip: String, rows: [GPIOLineAddress], columns: [GPIOLineAddress], activeLow: Bool = true, layout: String = "3x4") {
            self.chip = chip
            self.rows = rows
            self.columns = columns
            self.activeLow = activeLow
            self.layout = layout
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            chip = try c.decode(String.self, forKey: .chip)
            rows = try c.decode([GPIOLineAddress].self, forKey: .rows)
            columns = try c.decode([GPIOLineAddress].self, forKey: .columns)
            activeLow = try c.decodeIfPresent(Bool.self, forKey: .activeLow) ?? true
            layout = try c.decodeIfPresent(String.self, forKey: .layout) ?? "3x4"
        }
    }

    /// The problems of the scanner and keypad entries, each naming its entry.
    func inputDeviceProblems() -> [String] {
        var problems: [String] = []
        let names = scanners.map(\.name) + keypads.map(\.name)
        if Set(names).count != names.count { problems.append("two scanners or keypads share a name") }
        func checkLocation(_ what: String, device: String?, match: DeviceMatchEntry?) {
            if (device ?? "").isEmpty && match == nil { problems.append("\(what): give a device path or a match") }
            if let match, !Self.isUSBID(match.vendor) || !Self.isUSBID(match.product) {
                problems.append("\(what): match.vendor and match.product are 4 hex digits, as lsusb prints them")
            }
        }
        for scanner in scanners {
            let what = "scanner \"\(scanner.name)\""
            if scanner.name.isEmpty { problems.append("a scanner has no name") }
            switch scanner.kind {
            case "serial", "hid": checkLocation(what, device: scanner.device, match: scanner.match)
            default: problems.append("\(what): kind must be serial or hid, is \"\(scanner.kind)\"")
            }
            for (code, characters) in scanner.layout where UInt16(code) == nil || characters.count != 2 {
                problems.append("\(what): layout entry \"\(code)\": \"\(characters)\" must map a key code to two characters")
            }
        }
        for keypad in keypads {
            let what = "keypad \"\(keypad.name)\""
            if keypad.name.isEmpty { problems.append("a keypad has no name") }
            switch keypad.kind {
            case "hid": checkLocation(what, device: keypad.device, match: keypad.match)
            case "matrix":
                guard let matrix = keypad.matrix else {
                    problems.append("\(what): a matrix keypad needs its matrix (chip, rows, columns)")
                    continue
                }
                let expectedColumns = matrix.layout == "4x4" ? 4 : 3
                if !["3x4", "4x4"].contains(matrix.layout) { problems.append("\(what): layout must be 3x4 or 4x4, is \"\(matrix.layout)\"") }
                if matrix.rows.count != 4 || matrix.columns.count != expectedColumns {
                    problems.append("\(what): a \(matrix.layout) keypad has 4 rows and \(expectedColumns) columns")
                }
            default: problems.append("\(what): kind must be hid or matrix, is \"\(keypad.kind)\"")
            }
        }
        return problems
    }

    static func isUSBID(_ text: String) -> Bool {
        text.count == 4 && text.allSatisfy(\.isHexDigit)
    }
}
