/// One custody transition, decided in Core: the rows to write (in one store transaction), the
/// events to record with them, and what to do once they are durable.
///
/// The daemon does exactly this with a change: `store.apply(change)` (one transaction; nothing of
/// it is durable until it returns), then `model.apply(change)`, then the latch (`latch`), then the
/// effects. A change whose commit the store refuses leaves the model as it was, moves no latch and
/// performs `ifStoreRefuses` instead. Nothing outside Core assigns custody state.
public struct CustodyChange: Sendable, Equatable {
    /// Every compartment row this change writes, whole (one UPDATE each, so the schema's checks
    /// see the final row and never a half-written one).
    public private(set) var compartments: [CompartmentRecord] = []
    /// New parcels, with the ids the model reserved for them (`CabinetModel.nextParcelID`).
    public var insertedParcels: [Parcel] = []
    /// Parcels whose status or retention deadline changes (written whole; one that is no longer
    /// live ends at the commit's time).
    public var updatedParcels: [Parcel] = []
    /// The keypad's wrong-code guard, when it changes.
    public var attemptGuard: CodeAttemptGuard?
    /// Courier ids' wrong-PIN throttles that change (nil guard: forgotten). Memory only.
    public var courierGuards: [CourierGuardUpdate] = []
    public var savedPreAdvice: [ParcelIntake] = []
    public var removedPreAdvice: [String] = []
    /// Single-use credentials (pickup QR codes) used, or given back when their door never opened.
    public var credentialUses: [CredentialUse] = []
    /// The grace window that lets a resident reopen a door once (kept in memory only: after a
    /// restart the code no longer reopens anything, which errs on the safe side).
    public var graceWindow: GraceWindowChange?
    /// Recorded in this order, in the same transaction as the rows.
    public var events: [CustodyEvent] = []
    /// The door whose latch is pulsed once the change is durable (before any other effect: the
    /// door opens the instant the code is complete).
    public var latch: Int?
    /// What to decide if the board does not accept that pulse (see `CustodyStateMachine.latchRefused`).
    public var ifLatchRefused: LatchRefusal = .nothingToUndo
    /// Performed in order after the commit and the latch (display, buzzer, panel, lights).
    public var effects: [CustodyEffect] = []
    /// Performed instead of everything else when the store refuses the commit.
    public var ifStoreRefuses: [CustodyEffect] = []

    public init() {}

    /// A change that writes nothing and only tells the person something.
    public init(effects: [CustodyEffect]) {
        self.effects = effects
    }

    public struct CourierGuardUpdate: Sendable, Equatable {
        public var courierID: String
        public var `guard`: CodeAttemptGuard?
        public init(courierID: String, guard: CodeAttemptGuard?) {
            self.courierID = courierID
            self.guard = `guard`
        }
    }

    public enum CredentialUse: Sendable, Equatable {
        case markUsed(String)
        case forget(String)
    }

    public enum GraceWindowChange: Sendable, Equatable {
        case open(codeHash: String, window: CabinetModel.GraceWindow)
        case markReopened(codeHash: String)
    }

    /// Whether the store has anything to write for this change.
    public var writesStore: Bool {
        !compartments.isEmpty || !insertedParcels.isEmpty || !updatedParcels.isEmpty || attemptGuard != nil
            || !savedPreAdvice.isEmpty || !removedPreAdvice.isEmpty || !credentialUses.isEmpty || !events.isEmpty
    }

    /// Writes a compartment row; a second write of the same row in one change replaces the first.
    public mutating func write(_ record: CompartmentRecord) {
        if let index = compartments.firstIndex(where: { $0.compartment.id == record.compartment.id }) {
            compartments[index] = record
        } else {
            compartments.append(record)
        }
    }

    public mutating func record(_ event: CustodyEvent) {
        events.append(event)
    }

    /// This change followed by `next` (rows of `next` win; events, effects in order).
    public mutating func append(_ next: CustodyChange) {
        for record in next.compartments { write(record) }
        insertedParcels += next.insertedParcels
        for parcel in next.updatedParcels {
            updatedParcels.removeAll { $0.id == parcel.id }
            updatedParcels.append(parcel)
        }
        attemptGuard = next.attemptGuard ?? attemptGuard
        courierGuards += next.courierGuards
        savedPreAdvice += next.savedPreAdvice
        removedPreAdvice += next.removedPreAdvice
        credentialUses += next.credentialUses
        graceWindow = next.graceWindow ?? graceWindow
        events += next.events
        effects += next.effects
        ifStoreRefuses += next.ifStoreRefuses
        if let latch = next.latch {
            self.latch = latch
            ifLatchRefused = next.ifLatchRefused
        }
    }
}

/// One compartment's stored row as a change writes it: the compartment and the two columns that
/// are not part of `Compartment` (what its door is pending for, and its pickup code's hash).
public struct CompartmentRecord: Sendable, Equatable {
    public var compartment: Compartment
    public var pending: PendingOperation?
    public var codeHash: String?
    /// The code hash the row held when the record was taken from the model (`CabinetModel.record`),
    /// or `.unknown`. The store writes the row only if it still holds that hash, and leaves the
    /// hash's column (and its index) alone when it does not change, without reading the row first.
    public let storedCodeHash: StoredCodeHash

    /// What a record knows of the code hash its row holds in the store.
    public enum StoredCodeHash: Sendable, Equatable {
        /// Not known: the store reads it.
        case unknown
        /// The row holds this hash (nil: no code), as the model mirrors the store.
        case known(String?)
    }

    public init(compartment: Compartment, pending: PendingOperation?, codeHash: String?, storedCodeHash: StoredCodeHash = .unknown) {
        self.compartment = compartment
        self.pending = pending
        self.codeHash = codeHash
        self.storedCodeHash = storedCodeHash
    }
}

/// What a refused latch pulse (the board did not accept the unlock) undoes.
public enum LatchRefusal: Sendable, Equatable {
    /// Nothing to undo (a maintenance pulse, a grace reopen: the door watch records nothing).
    case nothingToUndo
    /// The deposit's reservation is released (the board is offline; another door may be tried).
    case releaseDeposit
    /// The pickup did not happen: the parcels stay, their code stays valid.
    case pickupNotTaken
    /// As `pickupNotTaken`, and the credential is usable again.
    case credentialPickupNotOpened(credentialID: String)
    case retrievalNotTaken
}
