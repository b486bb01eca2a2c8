package import LockerHAL
import LockerSystem

/// Builds the `HardwareError`s of GPIO drivers. The real driver and the scripted fake both use it,
/// so a test that provokes a failure on the fake checks the very text a technician reads in the
/// log when the same failure happens on a cabinet.
package enum GPIOHardwareErrors {
    /// "Device or resource busy (EBUSY)": the C library's text, then the symbol to search for.
    package static func errnoText(_ code: Int32) -> String {
        SystemCallError.messageWithSymbol(code)
    }

    package static func chipNotOpened(_ chip: String, errno code: Int32) -> HardwareError {
        let device = GPIOChipHandle(id: 0, name: chip).description
        switch code {
        case SystemErrno.noSuchFile, SystemErrno.noSuchDevice, SystemErrno.noSuchDeviceOrAddress:
            return .deviceMissing(
                device: device,
                detail: "opening: \(errnoText(code)); `gpiodetect` lists the chips this machine has"
            )
        case SystemErrno.permissionDenied, SystemErrno.notPermitted:
            return .io(
                device: device, operation: "opening",
                detail: "\(errnoText(code)); the service user needs read and write access to the chip's device file"
            )
        default:
            return .io(device: device, operation: "opening", detail: errnoText(code))
        }
    }

    package static func lineNotFound(_ address: GPIOLineAddress, on chip: GPIOChipHandle, errno code: Int32) -> HardwareError {
        .deviceMissing(
            device: "\(address) of \(chip)",
            detail: "finding the line: \(errnoText(code)); `gpioinfo \(chip.name)` lists its lines by offset and name"
        )
    }

    /// A request the kernel refused. For EBUSY, `heldBy` is the consumer that holds the line (as the
    /// kernel reports it), which is usually enough to find the other program.
    package static func requestRefused(
        _ line: GPIOLineHandle, as use: String, errno code: Int32, heldBy consumer: String?
    ) -> HardwareError {
        var detail = errnoText(code)
        if code == SystemErrno.busy {
            if let consumer, !consumer.isEmpty {
                detail += "; the line is held by \"\(consumer)\""
            } else {
                detail += "; another program or a kernel driver holds the line"
            }
            detail += " (`gpioinfo \(line.chip.name)` shows who)"
        }
        return .io(device: line.description, operation: "requesting \(use)", detail: detail)
    }

    package static func operationFailed(_ line: GPIOLineHandle, _ operation: String, errno code: Int32) -> HardwareError {
        .io(device: line.description, operation: operation, detail: errnoText(code))
    }

    package static func operationFailed(_ line: GPIOLineHandle, _ operation: String, detail: String) -> HardwareError {
        .io(device: line.description, operation: operation, detail: detail)
    }
}
