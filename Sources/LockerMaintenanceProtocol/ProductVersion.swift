/// The release of lockerd and lockerctl, as `--version` prints it. Both tools link this module,
/// so they always report the same release and the maintenance protocol they speak (which is what a
/// technician needs to know when a lockerctl from one package talks to a lockerd from another).
public enum ProductVersion {
    /// Raised with each release; the Debian package's version comes from the release tag.
    public static let release = "0.1.0"

    /// "0.1.0 (maintenance protocol 2)".
    public static var description: String { "\(release) (maintenance protocol \(MaintenanceProtocol.version))" }
}
