import CSystemShims

/// The i2c-dev ioctl lockerd uses on `/dev/i2c-N` (through the C shim: ioctl is variadic).
public enum I2CCalls {
    /// I2C_SLAVE: later read(2)/write(2) calls on `file` go to the 7-bit `address`. EBUSY when a
    /// kernel driver has claimed that address; ENOTTY or EINVAL when the file is not an i2c bus.
    public static func selectAddress(_ address: UInt8, on file: FileDescriptor) throws(SystemCallError) {
        try SystemCall.run("select the device address (I2C_SLAVE)", path: file.path) {
            Int(lockerd_i2c_set_address(file.rawValue, UInt32(address)))
        }
    }
}
