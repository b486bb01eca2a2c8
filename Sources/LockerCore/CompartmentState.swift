/// Where a compartment is in its custody life.
///
/// `reserved` means a door was opened for a deposit that is not yet committed: the reservation is
/// durable so that a power failure mid-deposit ends in a defined state on restart.
public enum CompartmentState: String, Sendable, Codable, CaseIterable {
    case available
    case reserved
    case occupied
    case overdue
    case quarantined
    case disabled
}
