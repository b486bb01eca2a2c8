public import LockerHAL
public import LockerSystem

extension HardwareError {
    /// A failed system call as the daemon sees hardware failures: a device that is not there
    /// (ENOENT, ENODEV, ENXIO) is `deviceMissing`, so its owner waits for it to come back; any
    /// other failure is `io`, naming the device and the operation.
    public init(_ failure: SystemCallError) {
        if failure.isMissing {
            self = .deviceMissing(device: failure.path, detail: "\(failure.call): \(failure.message)")
        } else {
            self = .io(device: failure.path, operation: failure.call, detail: failure.message)
        }
    }
}

/// Runs a `LockerSystem` call and rethrows its failure as a `HardwareError`, the one error type
/// drivers throw.
func hardwareCall<T>(_ body: () throws(SystemCallError) -> T) throws(HardwareError) -> T {
    do {
        return try body()
    } catch {
        throw HardwareError(error)
    }
}
