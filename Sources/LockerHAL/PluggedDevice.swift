/// A device node as the hotplug layer sees it (one udev device of the `tty`, `input`, `hidraw` or
/// `i2c-dev` subsystem): enough to match it against the configuration by vendor/product id,
/// serial number, a stable `/dev/locker/...` symlink or the node itself.
public struct PluggedDevice: Sendable, Equatable, Hashable {
    /// The kernel's path under /sys: the identity of this plug-in (stable until it is removed).
    public var sysPath: String
    /// "tty", "input", ...
    public var subsystem: String
    /// "/dev/ttyACM0", "/dev/input/event3"; nil for devices without a node (a USB interface).
    public var devnode: String?
    /// Lower-case hex as udev writes them ("0c2e", "1a86").
    public var vendorID: String?
    public var productID: String?
    /// The USB serial number (ID_SERIAL_SHORT), when the device has one.
    public var serial: String?
    /// Every symlink udev made for the node (DEVLINKS), e.g. "/dev/locker/scanner-S18842".
    public var symlinks: [String]
    /// The remaining udev properties (ID_INPUT_KEYBOARD, ID_MODEL, ...), for matching and logs.
    public var properties: [String: String]

    public init(sysPath: String, subsystem: String, devnode: String?, vendorID: String? = nil, productID: String? = nil,
                serial: String? = nil, symlinks: [String] = [], properties: [String: String] = [:]) {
        self.sysPath = sysPath
        self.subsystem = subsystem
        self.devnode = devnode
        self.vendorID = vendorID
        self.productID = productID
        self.serial = serial
        self.symlinks = symlinks
        self.properties = properties
    }
}

/// What happened to a device: the libudev monitor's "add" and "remove" actions (others, such as
/// "change" or "bind", do not change whether lockerd can use the node and are not reported).
public enum PluggedDeviceEvent: Sendable, Equatable {
    case added(PluggedDevice)
    case removed(PluggedDevice)
}

/// The hotplug layer's one interface: the devices present now, and the adds and removes after.
/// The libudev implementation reads sysfs and the kernel's netlink monitor; tests and the
/// simulator feed the same events by hand.
public protocol PluggedDeviceSource: Sendable {
    /// The devices of `subsystems` present now.
    func enumerate(subsystems: [String]) throws -> [PluggedDevice]
    /// Adds and removes of devices of `subsystems` from now on, until the stream's consumer stops
    /// iterating (which releases the monitor).
    func events(subsystems: [String]) throws -> AsyncThrowingStream<PluggedDeviceEvent, any Error>
}
