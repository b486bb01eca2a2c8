#if canImport(Glibc)
import Glibc
#endif
import LockerHAL

/// Builds the `HardwareError`s of GPIO drivers. The real driver and the scripted fake both use it,
/// so a test that provokes a failure on the fake checks the very text a technician reads in the
/// log when the same failure happens on a cabinet.
enum GPIOHardwareErrors {
    /// "Device or resource busy (EBUSY)": the C library's text, then the symbol to search for.
    static func errnoText(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        if let symbol = errnoSymbols[code] { return "\(text) (\(symbol))" }
        return "\(text) (errno \(code))"
    }

    private static let errnoSymbols: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", EINTR: "EINTR", EIO: "EIO", ENXIO: "ENXIO",
        EBADF: "EBADF", EACCES: "EACCES", EBUSY: "EBUSY", ENODEV: "ENODEV", EINVAL: "EINVAL",
        ENOTTY: "ENOTTY", ENOMEM: "ENOMEM", ENOSYS: "ENOSYS", EOPNOTSUPP: "EOPNOTSUPP",
    ]

    static func chipNotOpened(_ chip: String, errno code: Int32) -> HardwareError {
        let device = GPIOChipHandle(id: 0, name: chip).description
        switch code {
        case ENOENT, ENODEV, ENXIO:
            return .deviceMissing(
                device: device,
                detail: "opening: \(errnoText(code)); `gpiodetect` lists the chips this machine has"
            )
        case EACCES, EPERM:
            return .io(
                device: device, operation: "opening",
                detail: "\(errnoText(code)); the service user needs read and write access to the chip's device file"
            )
        default:
            return .io(device: device, operation: "opening", detail: errnoText(code))
        }
    }

    static func lineNotFound(_ address: GPIOLineAddress, on chip: GPIOChipHandle, errno code: Int32) -> HardwareError {
        .deviceMissing(
            device: "\(address) of \(chip)",
            detail: "finding the line: \(errnoText(code)); `gpioinfo \(chip.name)` lists its lines by offset and name"
        )
    }

    /// A request the kernel refused. For EBUSY, `heldBy` is the consumer that holds the line (as the
    /// kernel reports it), which is usually enough to find the other program.
    static func requestRefused(
        _ line: GPIOLineHandle, as use: String, errno code: Int32, heldBy consumer: String?
    ) -> HardwareError {
        var detail = errnoText(code)
        if code == EBUSY {
            if let consumer, !consumer.isEmpty {
                detail += "; the line is held by \"\(consumer)\""
            } else {
                detail += "; another program or a kernel driver holds the line"
            }
            detail += " (`gpioinfo \(line.chip.name)` shows who)"
        }
        return .io(device: line.description, operation: "requesting \(use)", detail: detail)
    }

    static func operationFailed(_ line: GPIOLineHandle, _ operation: String, errno code: Int32) -> HardwareError {
        .io(device: line.description, operation: operation, detail: errnoText(code))
    }

    static func operationFailed(_ line: GPIOLineHandle, _ operation: String, detail: String) -> HardwareError {
        .io(device: line.description, operation: operation, detail: detail)
    }
}
