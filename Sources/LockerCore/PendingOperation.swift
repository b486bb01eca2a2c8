public import Foundation

/// A door operation that started (its latch may have been pulsed) but has not finished.
///
/// Stored durably with the compartment *before* the latch is pulsed, so that after a power failure
/// the daemon knows what the open (or closed) door it finds on restart was for.
public enum PendingOperation: Sendable, Equatable, Codable {
    /// A courier's deposit: the compartment is `reserved` (or `occupied`, when shared); nothing is
    /// in custody yet.
    case deposit(ParcelIntake, courierID: String, isShared: Bool)
    /// A deposit the courier cancelled (or moved to a larger door) while its door was open: the
    /// compartment stays out of service until the door is closed and what is inside is known.
    case cancelledDeposit(ParcelIntake, courierID: String, isShared: Bool)
    /// A resident's pickup of these parcels, unlocked with the code whose hash is given.
    case pickup(parcelIDs: [Int64], codeHash: String)
    /// A courier taking overdue parcels back; `batchStartedAt` names the batch retrieval this door
    /// is part of (nil: a single door). Optional, so rows stored before batches decode as before.
    case retrieval(parcelIDs: [Int64], courierID: String, batchStartedAt: Date? = nil)
}
