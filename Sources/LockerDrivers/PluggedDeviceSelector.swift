public import LockerHAL

/// Which plugged device a configured scanner, keypad or adapter is: a fixed path (the node, or a
/// stable symlink such as /dev/locker/scanner-S18842 that the udev rules create) or the USB
/// vendor/product ids with an optional serial number.
public struct PluggedDeviceSelector: Sendable, Equatable, CustomStringConvertible {
    public enum Criterion: Sendable, Equatable {
        case path(String)
        case usb(vendor: String, product: String, serial: String?)
    }

    public var criterion: Criterion
    /// "tty" for serial devices, "input" for evdev nodes.
    public var subsystem: String

    public init(_ criterion: Criterion, subsystem: String) {
        self.criterion = criterion
        self.subsystem = subsystem
    }

    /// - Parameter resolvedPath: where a `.path` criterion's symlink points now, if it exists (a
    ///   udev rule's symlink appears with the node, so this also matches without DEVLINKS).
    public func selects(_ device: PluggedDevice, resolvedPath: String? = nil) -> Bool {
        guard device.subsystem == subsystem, let node = device.devnode else { return false }
        switch criterion {
        case .path(let path):
            return node == path || device.symlinks.contains(path) || resolvedPath == node
        case .usb(let vendor, let product, let serial):
            guard device.vendorID?.lowercased() == vendor.lowercased(), device.productID?.lowercased() == product.lowercased() else {
                return false
            }
            if let serial, device.serial != serial { return false }
            if subsystem == "input" {
                // A scanner or keypad has one event node per HID interface (keys, consumer keys, a
                // mouse for some). udev marks a keyboard node ID_INPUT_KEYBOARD=1 and any node with
                // keys ID_INPUT_KEY=1 (it never writes 0); `rank` prefers the keyboard. Without
                // udev's database the classification is unknown, and an event node is the guess.
                guard node.hasPrefix("/dev/input/event") else { return false }
                if device.properties["ID_INPUT"] == "1" {
                    return device.properties["ID_INPUT_KEYBOARD"] == "1" || device.properties["ID_INPUT_KEY"] == "1"
                }
            }
            return true
        }
    }

    /// Orders several devices this selector selects, best first: a keyboard node before a node
    /// that only has keys (a scanner's consumer-control interface), then by node number
    /// (event9 before event10, which a string sort would not give).
    public static func rank(_ devices: [PluggedDevice]) -> [PluggedDevice] {
        func isKeyboard(_ device: PluggedDevice) -> Bool { device.properties["ID_INPUT_KEYBOARD"] == "1" }
        func number(_ device: PluggedDevice) -> Int { Int(String((device.devnode ?? "").reversed().prefix { $0.isNumber }.reversed())) ?? Int.max }
        return devices.sorted { left, right in
            if isKeyboard(left) != isKeyboard(right) { return isKeyboard(left) }
            if number(left) != number(right) { return number(left) < number(right) }
            return (left.devnode ?? "") < (right.devnode ?? "")
        }
    }

    public var description: String {
        switch criterion {
        case .path(let path): return path
        case .usb(let vendor, let product, let serial):
            return "USB \(vendor):\(product)" + (serial.map { " serial \($0)" } ?? "") + " (\(subsystem))"
        }
    }
}
