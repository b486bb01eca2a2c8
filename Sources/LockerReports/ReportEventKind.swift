/// The recorded event kinds a report reads, by the names the custody record stores (the same
/// names as `CustodyEvent.Kind` in LockerCore, which this module does not import so that lockerctl,
/// which renders reports, stays small; a store test checks the names match).
public enum ReportEventKind {
    public static let depositCommitted = "deposit.committed"
    /// A deposit found at restart or after the courier left: in custody like any other.
    public static let depositRecovered = "deposit.recovered"
    public static let pickupCommitted = "pickup.committed"
    public static let retrievalCommitted = "retrieval.committed"
    public static let parcelOverdue = "parcel.overdue"
    public static let keypadLockedOut = "keypad.locked_out"
    public static let courierLockedOut = "courier.locked_out"
    public static let doorForcedOpen = "door.forced_open"
    public static let doorLeftOpen = "door.left_open"
    public static let doorOpenedUnseen = "door.opened_unseen"
    public static let parcelMissing = "parcel.missing"
    public static let latchFailed = "latch.failed"
    public static let boardOffline = "board.offline"
    public static let boardOnline = "board.online"
    public static let excursionStarted = "coldchain.excursion_started"
    public static let probeFault = "coldchain.probe_fault"

    /// The kinds that move parcels in or out of custody: a report reads these from the start of
    /// the record (to know what was inside when the period began), the rest only for the period.
    public static let custody: [String] = [depositCommitted, depositRecovered, pickupCommitted, retrievalCommitted, parcelOverdue]

    /// Every kind named here.
    public static let all: [String] = custody + [
        keypadLockedOut, courierLockedOut, doorForcedOpen, doorLeftOpen, doorOpenedUnseen, parcelMissing, latchFailed,
        boardOffline, boardOnline, excursionStarted, probeFault,
    ]
}
