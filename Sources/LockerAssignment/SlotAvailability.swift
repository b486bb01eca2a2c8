/// Whether the assigner may put a parcel into a compartment.
///
/// The domain core has a richer state per compartment (reserved, overdue, quarantined,
/// disabled, board down, ...); it folds all of them into these three values, because that is
/// all a placement decision needs.
public enum SlotAvailability: UInt8, CaseIterable, Sendable {
    /// Empty and usable: may receive any parcel that fits.
    case available
    /// Holds live parcels. May receive another parcel of the same recipient if there is room.
    case occupied
    /// Reserved, overdue, quarantined, disabled, or on a board that is down: never chosen.
    case unavailable
}
