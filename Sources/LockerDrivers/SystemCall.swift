#if canImport(Glibc)
import Glibc
#endif
public import LockerHAL

/// The one thin wrapper drivers use around system calls: retries EINTR and turns errno into a
/// `HardwareError` naming the device and the operation, so every failure reads the same way.
public enum SystemCall {
    @discardableResult
    public static func run(_ device: String, _ operation: String, _ body: () -> Int) throws -> Int {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw error(device, operation, errno: code)
        }
    }

    public static func error(_ device: String, _ operation: String, errno code: Int32) -> HardwareError {
        switch code {
        case ENOENT, ENODEV, ENXIO:
            return .deviceMissing(device: device, detail: "\(operation): \(String(cString: strerror(code)))")
        default:
            return .io(device: device, operation: operation, detail: String(cString: strerror(code)))
        }
    }
}
