import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

/// The evdev ioctls lockerd uses on `/dev/input/event*`, and the size of the kernel's timeval
/// (which sets the size of `struct input_event`).
public enum InputDeviceCalls {
    /// EVIOCGNAME: the name the device reports, nil when it has none (a pipe, a plain file).
    public static func deviceName(_ file: FileDescriptor) -> String? {
        var name = [CChar](repeating: 0, count: 256)
        let length = lockerd_evdev_name(file.rawValue, &name, UInt(name.count))
        guard length > 0 else { return nil }
        return String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// EVIOCGRAB: takes the device for this process alone (until it is closed).
    public static func grab(_ file: FileDescriptor) throws(SystemCallError) {
        if lockerd_evdev_grab(file.rawValue, 1) != 0 {
            throw SystemCallError.last(call: "grab (EVIOCGRAB)", path: file.path)
        }
    }

    /// Bytes of this platform's `struct timeval` (16 on 64-bit).
    public static var timevalSize: Int { MemoryLayout<timeval>.size }
}
