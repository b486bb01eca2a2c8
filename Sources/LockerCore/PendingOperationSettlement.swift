/// What becomes of a pending door operation once its door is closed.
///
/// Pure decision, shared by the normal flow (the door closes while the person is there) and by
/// recovery (the door is found closed after a power failure or a board outage): the item sensor,
/// where there is one and where it can tell, decides; without evidence, custody is never invented
/// and never given up.
public enum PendingOperationSettlement: Sendable, Equatable {
    /// The parcel is in: commit the deposit (`recovered` when nobody was there to see it).
    case commitDeposit(recovered: Bool)
    /// Nothing went in: the compartment is back in service.
    case releaseReservation(reason: String)
    /// Nobody can tell what is inside: out of service until a technician looks.
    case quarantineForInspection(reason: String)
    case commitPickup
    /// The parcels stay in custody (and their code stays valid).
    case keepParcels(reason: String)
    case commitRetrieval
    case keepOverdueParcels(reason: String)

    /// - Parameters:
    ///   - itemPresent: the item sensor after the door closed; nil where there is none.
    ///   - interrupted: true when the person who opened the door is not known to be there any more
    ///     (found closed at restart, or the courier's panel session moved on).
    public static func settle(_ operation: PendingOperation, itemPresent: Bool?, interrupted: Bool)
        -> PendingOperationSettlement
    {
        switch operation {
        case .deposit(let intake, _, let isShared):
            // In a shared compartment the other parcels keep the sensor "present": it cannot tell.
            let evidence = isShared ? nil : itemPresent
            switch (evidence, interrupted) {
            case (true?, _): return .commitDeposit(recovered: interrupted)
            case (false?, _): return .releaseReservation(reason: "door closed with no parcel inside")
            case (nil, false): return .commitDeposit(recovered: false)  // the courier closed it: the parcel is in
            case (nil, true):
                return .quarantineForInspection(reason: "interrupted deposit of \(intake.trackingNumber): check whether the parcel is inside")
            }
        case .cancelledDeposit(let intake, _, let isShared):
            if !isShared, itemPresent == true {
                return .quarantineForInspection(reason: "deposit of \(intake.trackingNumber) was cancelled but something is inside")
            }
            return .releaseReservation(reason: "cancelled deposit: door closed")
        case .pickup:
            switch (itemPresent, interrupted) {
            case (true?, _): return .keepParcels(reason: "door closed with the parcel still inside")
            case (false?, _), (nil, false): return .commitPickup
            case (nil, true): return .keepParcels(reason: "interrupted: door found closed, no item sensor to confirm")
            }
        case .retrieval:
            switch (itemPresent, interrupted) {
            case (true?, _): return .keepOverdueParcels(reason: "door closed with parcels still inside")
            case (false?, _), (nil, false): return .commitRetrieval
            case (nil, true): return .keepOverdueParcels(reason: "interrupted: door found closed, no item sensor to confirm")
            }
        }
    }
}
