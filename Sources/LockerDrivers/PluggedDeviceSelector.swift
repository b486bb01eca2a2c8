public import LockerHAL

/// Which plugged device a configured scanner, keypad or adapter is: a fixed path (the node, or a
/// stable symlink such as /dev/locker/scanner-front that the udev rules create) or the USB
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
                // mouse for some); only a keyboard node types codes. Without udev's database the
                // classification is unknown, and the event node is the best guess.
                guard node.hasPrefix("/dev/input/event") else { return false }
                if let keyboard = device.properties["ID_INPUT_KEYBOARD"] ?? device.properties["ID_INPUT_KEY"] { return keyboard == "1" }
            }
            return true
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
