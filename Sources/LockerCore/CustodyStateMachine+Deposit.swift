public import Foundation

/// Deposits: a courier's parcel from the reservation of a door to its custody.
///
/// Power failure at each step: before the reservation commit, nothing happened and no door opened.
/// After it, the compartment is `reserved` with the parcel's details; on restart a door found
/// closed is settled by its item sensor (parcel inside: deposit recovered and a code issued;
/// empty: reservation released; no sensor: quarantined for a technician), and a door found open
/// finishes the deposit when it closes. The parcel enters custody only with the deposit commit on
/// door close, which is also when the code is issued.
extension CustodyStateMachine {
    /// What the panel suggests for a scanned tracking number: refused when it is already inside
    /// or being deposited; the pre-advice when the server sent one; else the smallest size with a
    /// free door now.
    public func parcelIdentified(_ trackingNumber: String, in model: CabinetModel) -> ParcelIdentification {
        if let parcel = model.allLiveParcels.first(where: { $0.trackingNumber == trackingNumber }) {
            return .refused(.trackingRejected(
                trackingNumber: trackingNumber, problem: .alreadyInside(label: model.compartments[parcel.compartmentID].label)),
                            alreadyInside: true)
        }
        if let id = model.pending.first(where: {
            if case .deposit(let intake, _, _) = $0.value { return intake.trackingNumber == trackingNumber }
            return false
        })?.key {
            return .refused(.trackingRejected(trackingNumber: trackingNumber, problem: .beingDeposited(label: model.compartments[id].label)),
                            alreadyInside: false)
        }
        if let advised = model.preAdvice[trackingNumber] { return .suggested(advised) }
        var intake = ParcelIntake(trackingNumber: trackingNumber, size: .s)
        intake.size = CompartmentSize.allCases.filter({ $0 >= .s }).first { size in
            var probe = intake
            probe.size = size
            return model.choose(for: probe) != nil
        } ?? .m
        return .suggested(intake)
    }

    public enum ParcelIdentification: Sendable, Equatable {
        case suggested(ParcelIntake)
        /// `alreadyInside`: the parcel is in custody here (an error sound, not just a message).
        case refused(PanelMessage, alreadyInside: Bool)
    }

    /// A courier asked to deposit: choose a door, reserve it and open it; or refuse and say why.
    /// - Parameter storageFull: the store is over its budget: every parcel taken in means events to
    ///   record until it is picked up, so none is taken in (pickups go on).
    public func depositRequested(
        _ intake: ParcelIntake, courierID: String, minimumSize: CompartmentSize? = nil, excluding: Int? = nil,
        storageFull: Bool, in model: CabinetModel
    ) -> CustodyChange {
        if storageFull {
            return CustodyChange(effects: [.sound(.error), .panel(.depositRefused(.storageFull))])
        }
        guard let choice = model.choose(for: intake, minimumSize: minimumSize, excluding: excluding) else {
            // A cold parcel whose class has compartments, all out of range or with a faulty probe:
            // the courier must know it is the temperature, not the size.
            let coldButUnfit = intake.temperatureClass != .ambient && model.climateUnfit.contains {
                model.compartments[$0].temperatureClass == intake.temperatureClass
            }
            if coldButUnfit {
                return CustodyChange(effects: [.sound(.error), .panel(.depositRefused(.noCompartmentAtTemperature(intake.temperatureClass)))])
            }
            return CustodyChange(effects: [.sound(.error), .panel(.depositRefused(.noCompartment(
                size: max(minimumSize ?? intake.size, intake.size), temperatureClass: intake.temperatureClass)))])
        }
        let id = Int(choice.slot)
        let shared = choice.isShared
        var change = CustodyChange()
        var record = model.record(id)
        if !shared { record.compartment.state = .reserved }
        record.compartment.latchCycles += 1
        record.pending = .deposit(intake, courierID: courierID, isShared: shared)
        change.write(record)
        let label = record.compartment.label
        change.record(CustodyEvent(.depositDoorOpened, compartmentID: id, payload: Self.payload(label, [
            "tracking_number": .string(intake.trackingNumber), "courier_id": .string(courierID),
            "size": .string(intake.size.description), "temperature_class": .string(intake.temperatureClass.description),
            "shared": .bool(shared),
        ])))
        change.latch = id
        change.ifLatchRefused = .releaseDeposit
        change.effects = [.panel(.depositDoorOpened(compartmentID: id, label: label)), .sound(.confirm)]
        change.ifStoreRefuses = [.panel(.depositRefused(.depositNotRecordable))]
        return change
    }

    /// The sensor saw a deposit door open after its pulse: recorded as seen, and only now is the
    /// courier told to put the parcel in. Nil when no deposit is pending there.
    public func depositDoorSeenOpen(_ id: Int, in model: CabinetModel) -> CustodyChange? {
        guard case .deposit(let intake, _, _) = model.pending[id] else { return nil }
        let label = model.compartments[id].label
        var change = CustodyChange()
        change.record(CustodyEvent(.depositDoorSeenOpen, compartmentID: id, payload: Self.payload(label, [
            "tracking_number": .string(intake.trackingNumber),
        ])))
        change.effects = [.panel(.depositDoorSeenOpen(compartmentID: id, label: label))]
        change.ifStoreRefuses = change.effects
        return change
    }

    /// The courier gave up this door while it is open: recorded now, settled when it closes (the
    /// compartment stays out of service until the door is closed and what is inside is known).
    public func depositCancelled(_ id: Int, reason: String, in model: CabinetModel) -> CustodyChange? {
        guard case .deposit(let intake, let courierID, let shared) = model.pending[id] else { return nil }
        var change = CustodyChange()
        var record = model.record(id)
        record.pending = .cancelledDeposit(intake, courierID: courierID, isShared: shared)
        change.write(record)
        change.record(CustodyEvent(.depositCancelled, compartmentID: id, payload: Self.payload(record.compartment.label, [
            "tracking_number": .string(intake.trackingNumber), "reason": .string(reason),
        ])))
        return change
    }

    /// Ends a deposit reservation without a parcel, at once (the door never opened, or it is
    /// closed). Nil when no deposit is pending there.
    /// - Parameters:
    ///   - quarantine: takes the compartment out of service with this reason.
    ///   - latchFailed: also records that the latch did not open.
    public func depositReleased(
        _ id: Int, reason: String, quarantine: String? = nil, latchFailed: Bool = false, in model: CabinetModel
    ) -> CustodyChange? {
        let intake: ParcelIntake
        let alreadyCancelled: Bool
        switch model.pending[id] {
        case .deposit(let pending, _, _)?: (intake, alreadyCancelled) = (pending, false)
        case .cancelledDeposit(let pending, _, _)?: (intake, alreadyCancelled) = (pending, true)
        default: return nil
        }
        var change = CustodyChange()
        var record = model.record(id)
        if let quarantine {
            record.compartment.state = .quarantined
            record.compartment.quarantineReason = quarantine
        } else if record.compartment.state == .reserved {
            record.compartment.state = .available
        }
        record.pending = nil
        change.write(record)
        let label = record.compartment.label
        if !alreadyCancelled {
            change.record(CustodyEvent(.depositCancelled, compartmentID: id, payload: Self.payload(label, [
                "tracking_number": .string(intake.trackingNumber), "reason": .string(reason),
            ])))
        }
        if latchFailed {
            change.record(CustodyEvent(.latchFailed, compartmentID: id, payload: Self.payload(label, ["reason": .string(reason)])))
        }
        if let quarantine {
            change.record(CustodyEvent(.compartmentQuarantined, compartmentID: id, payload: Self.payload(label, [
                "reason": .string(quarantine),
            ])))
        }
        return change
    }

    /// The pickup code a deposit gets: none when it joins a shared door that has one; the
    /// server's when it pre-advised one still free; else a fresh one drawn with `generator`.
    /// Nil when no free code could be drawn.
    public func issueCode(
        for intake: ParcelIntake, compartmentID id: Int, shared: Bool, in model: CabinetModel,
        using generator: inout some RandomNumberGenerator
    ) -> IssuedCode? {
        if shared && model.codeHash(ofCompartment: id) != nil { return .sharesExisting }
        if let issued = intake.serverCodeHash, !model.isCodeHashLive(issued), model.graceWindows[issued] == nil {
            // The server issued the code and told the resident; the cabinet knows only its hash.
            return .serverIssued(hash: issued)
        }
        // Not a live code, nor one still inside its grace window (it would reopen a door).
        guard let code = codePolicy.drawUnique(using: &generator, isTaken: {
            let hash = hasher.hash(code: $0)
            return model.isCodeHashLive(hash) || model.graceWindows[hash] != nil
        }) else { return nil }
        return .drawn(code: code, hash: hasher.hash(code: code))
    }

    /// The deposit door closed with the parcel inside: the parcel enters custody.
    /// - Parameters:
    ///   - recovered: nobody was there to see it (found at restart or after the courier left):
    ///     no code on the public display, which would hand the parcel to whoever reads it.
    ///   - sealedCode: the code sealed for the central server, which tells the resident.
    public func depositCommitted(
        _ id: Int, intake: ParcelIntake, courierID: String, shared: Bool, recovered: Bool, code: IssuedCode,
        sealedCode: String?, in model: CabinetModel, now: Date
    ) -> CustodyChange {
        let deadline = intake.retentionHours.map { now.addingTimeInterval($0 * 3_600) }
            ?? retention.deadline(for: intake.temperatureClass, depositedAt: now)
        let parcel = Parcel(
            id: model.nextParcelID, trackingNumber: intake.trackingNumber, recipientReference: intake.recipientReference,
            size: intake.size, temperatureClass: intake.temperatureClass, compartmentID: id, courierID: courierID,
            depositedAt: now, retentionDeadline: deadline, carrier: intake.carrier ?? "")
        var change = CustodyChange()
        var record = model.record(id)
        if record.compartment.state == .reserved || record.compartment.state == .available { record.compartment.state = .occupied }
        record.pending = nil
        if let hash = code.hash { record.codeHash = hash }
        change.write(record)
        change.insertedParcels = [parcel]
        change.removedPreAdvice = [intake.trackingNumber]
        var payload = Self.payload(record.compartment.label, [
            "tracking_number": .string(intake.trackingNumber), "recipient_reference": .string(intake.recipientReference),
            "courier_id": .string(courierID), "size": .string(intake.size.description),
            "temperature_class": .string(intake.temperatureClass.description),
            "retention_deadline": .double(deadline.timeIntervalSince1970), "shared": .bool(shared),
            "carrier": .string(intake.carrier ?? ""),
        ])
        if let sealedCode { payload["sealed_code"] = .string(sealedCode) }
        change.record(CustodyEvent(recovered ? .depositRecovered : .depositCommitted, compartmentID: id, parcelID: parcel.id,
                                   payload: payload))
        let label = record.compartment.label
        let message: PanelMessage
        switch code {
        case _ where recovered: message = .depositRecorded(label: label)
        case .drawn(let text, _): message = .depositCommitted(label: label, code: text)
        // A code the server issued: the resident has it already; the courier needs none.
        case .serverIssued: message = .depositRecorded(label: label)
        case .sharesExisting: message = .depositAddedToShared(label: label)
        }
        change.effects = [.panel(.depositFinished(message))]
        return change
    }

    /// The pickup code of a deposit (see `issueCode`).
    public enum IssuedCode: Sendable, Equatable {
        /// Drawn here: shown to the courier once, sealed for the server, stored only as `hash`.
        case drawn(code: String, hash: String)
        case serverIssued(hash: String)
        /// The parcel joins a shared door whose code stays the same.
        case sharesExisting

        public var hash: String? {
            switch self {
            case .drawn(_, let hash), .serverIssued(let hash): hash
            case .sharesExisting: nil
            }
        }

        public var code: String? {
            if case .drawn(let code, _) = self { return code }
            return nil
        }
    }
}
