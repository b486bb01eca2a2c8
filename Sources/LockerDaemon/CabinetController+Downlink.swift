import Crypto
import Foundation
import LockerCore
import LockerStore
public import LockerUplink

/// Commands from the central server, carried out on the cabinet loop.
///
/// Each command's id is recorded in the same transaction as its effect and its `command.result`
/// event, so a command delivered twice is carried out once, and a power failure leaves either all
/// three or none (the server then delivers it again). A remote open is the one command that moves
/// a latch: it must be signed by the server's command key for this cabinet, this door and a
/// deadline not yet passed, and at most `remoteOpensPerHour` are carried out in any hour.
extension CabinetController {
    public func execute(_ command: UplinkAcknowledgement.Command) async {
        // An id cannot be recorded without being one: such a command is logged and dropped.
        guard !command.id.isEmpty, command.id.utf8.count <= 200 else {
            logger.warning("server command without a usable id dropped", metadata: ["command.type": "\(command.type.prefix(40))"])
            return
        }
        // Looked up apart from the effect's transaction: safe because this loop takes one input at
        // a time and the id is the table's primary key (a second insert would fail the effect).
        let alreadyDone: String?? = commit("command lookup") { tx in try tx.downlinkCommandStatus(command.id) }
        guard case .some(.none) = alreadyDone else { return }  // carried out before (or the store is failing: next delivery)
        switch command.type {
        case "pre_advice":
            settle(command, effect: preAdviceEffect(command))
        case "revoke_code":
            settle(command, effect: revokeEffect(command))
        case "extend_code":
            settle(command, effect: extendEffect(command))
        case "remote_open":
            await remoteOpen(command)
        case "courier_credentials":
            settle(command, effect: couriersEffect(command))
        case "configuration":
            settle(command, effect: configurationEffect(command))
        case "resend_events":
            settle(command, effect: resendEffect(command))
        case UplinkAcknowledgement.Command.malformedType:
            settle(command, effect: .refused("the command could not be read (a field has the wrong type)"))
        default:
            settle(command, effect: .refused("unknown command type \"\(command.type.prefix(40))\""))
        }
        publishNewEvents()
    }

    /// The server lost events of an earlier epoch (a restore of its own) and asks for them again:
    /// granted while this database holds them, recorded durably with the command, and taken up
    /// by the uplink at its next batch.
    private func resendEffect(_ command: UplinkAcknowledgement.Command) -> CommandEffect {
        guard let epoch = command.epoch, let from = command.fromSequence else {
            return .refused("resend_events needs epoch and fromSequence")
        }
        guard let first = try? store.firstSequence(ofEpoch: epoch), let last = try? store.lastSequence(ofEpoch: epoch) else {
            return .refused("epoch \(epoch.prefix(32)) is not in this cabinet's record")
        }
        guard (first...last).contains(from) else {
            return .refused("epoch \(epoch.prefix(32)) holds sequences \(first)...\(last), not \(from)")
        }
        if let checkpoint = try? store.latestCheckpoint(), from <= checkpoint.throughSequence {
            // Compacted: what is left before the cut (events of parcels still inside) would reach
            // the server with gaps it can never fill. The record is whole from the cut on.
            return .gone("gone since checkpoint \(checkpoint.sequence): events through \(checkpoint.throughSequence) were compacted; "
                         + "the record is whole from \(checkpoint.throughSequence + 1)", checkpoint: checkpoint)
        }
        return .done("events \(from)...\(last) of epoch \(epoch) will be sent again",
                     alsoWriting: { tx in try tx.requestUplinkResend(from: from) })
    }

    private func refuse(_ command: UplinkAcknowledgement.Command, _ reason: String) {
        settle(command, effect: .refused(reason))
    }

    enum CommandEffect {
        /// Carried out: the custody change (decided in Core) and any other rows, written with the
        /// command's record; `after` runs once they are durable.
        case done(String, CustodyChange = CustodyChange(), alsoWriting: (@Sendable (CustodyTransaction) throws -> Void)? = nil,
                  after: () -> Void = {})
        case refused(String)
        /// Asked for events a checkpoint compacted (status `gone`, with the checkpoint and its cut).
        case gone(String, checkpoint: RecordCheckpoint)
    }

    /// Records the command with its effect and result in one transaction, then updates memory.
    /// Returns whether it was committed (nothing moves otherwise).
    @discardableResult
    private func settle(_ command: UplinkAcknowledgement.Command, effect: CommandEffect, compartmentID: Int? = nil) -> Bool {
        let status: String, detail: String
        let change: CustodyChange
        let extra: (@Sendable (CustodyTransaction) throws -> Void)?
        let after: (() -> Void)?
        switch effect {
        case .done(let text, let custodyChange, let write, let then):
            (status, detail, change, extra, after) = ("done", text, custodyChange, write, then)
        case .refused(let text):
            (status, detail, change, extra, after) = ("refused", text, CustodyChange(), nil, nil)
        case .gone(let text, _):
            (status, detail, change, extra, after) = ("gone", text, CustodyChange(), nil, nil)
        }
        let id = command.id, type = command.type
        // The door a command acted on goes into the envelope (the server files it with the door's
        // other events) and its printed label into the payload, not only into the free text.
        var payload: [String: EventValue] = [
            "command_id": .string(id), "type": .string(type), "status": .string(status), "detail": .string(detail),
        ]
        if let compartmentID { payload["label"] = .string(label(compartmentID)) }
        if case .gone(_, let checkpoint) = effect {
            payload["checkpoint_sequence"] = .int(checkpoint.sequence)
            payload["compacted_through"] = .int(checkpoint.throughSequence)
        }
        let written: Bool? = commit("command \(type)") { [payload] tx in
            _ = try CabinetStore.write(change, in: tx)
            try extra?(tx)
            try tx.recordDownlinkCommand(id: id, type: type, status: status, detail: detail)
            try tx.append(CustodyEvent(.commandResult, compartmentID: compartmentID, payload: payload))
            return true
        }
        if written == true {
            model.apply(change)
            after?()
        }
        logger.notice("server command", metadata: ["command.id": "\(id)", "command.type": "\(type)", "command.status": "\(status)",
                                                   "command.detail": "\(detail)", "command.recorded": "\(written == true)"])
        return written == true
    }

    private func preAdviceEffect(_ command: UplinkAcknowledgement.Command) -> CommandEffect {
        guard let advice = command.preAdvice else { return .refused("pre_advice without preAdvice") }
        if let problem = ParcelIntake.validationError(forTrackingNumber: advice.trackingNumber) { return .refused(problem) }
        guard let size = CompartmentSize(label: advice.size) else { return .refused("unknown size \"\(advice.size.prefix(10))\"") }
        guard let temperatureClass = TemperatureClass(label: advice.temperatureClass ?? "ambient") else {
            return .refused("unknown temperature class \"\(advice.temperatureClass ?? "")\"")
        }
        var intake = ParcelIntake(trackingNumber: advice.trackingNumber, recipientReference: advice.recipientReference ?? "",
                                  size: size, temperatureClass: temperatureClass, needsAccessible: advice.needsAccessible ?? false)
        if let hours = advice.retentionHours {
            guard hours > 0 && hours <= 24 * 365 else { return .refused("retentionHours must be more than 0 and at most a year") }
            intake.retentionHours = hours
        }
        if let code = advice.pickupCode {
            guard codePolicy.isWellFormed(code) else {
                return .refused("pickupCode must be \(configuration.pickupCodeLength) digits")
            }
            let hash = hasher.hash(code: code)
            // Two live parcels behind different doors must never share a code.
            guard !model.isCodeHashLive(hash), !model.preAdvice.values.contains(where: { $0.serverCodeHash == hash }) else {
                return .refused("pickupCode is already in use at this cabinet; issue another")
            }
            intake.serverCodeHash = hash
        }
        let detail = "pre-advice for \(intake.trackingNumber) kept"
            + (intake.serverCodeHash != nil ? " with the server's code" : "")
            + (intake.retentionHours.map { ", retention \($0) h" } ?? "")
        let advised = intake
        return .done(detail, custody.preAdviceReceived(advised))
    }

    /// Policy changes (retention, door timings, lockout, storage budget) in force at once and kept
    /// over restarts, on top of earlier changes; the rest of the configuration stays the file's.
    private func configurationEffect(_ command: UplinkAcknowledgement.Command) -> CommandEffect {
        guard let changes = command.configuration, !changes.isEmpty else { return .refused("configuration without changes") }
        var overrides: [String: JSONValue] = [:]
        if let text = try? store.configurationOverrides(),
           let stored = try? JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8)) {
            overrides = stored
        }
        overrides.merge(changes) { _, new in new }
        let changed: CabinetConfiguration
        do {
            // Checked against the file's configuration with every change so far applied.
            changed = try fileConfiguration.applying(overrides)
        } catch {
            return .refused("\(error)")
        }
        guard let json = try? JSONEncoder().encode(overrides) else { return .refused("the changes could not be recorded") }
        let text = String(decoding: json, as: UTF8.self)
        return .done("changed: \(changes.keys.sorted().joined(separator: ", "))", alsoWriting: { tx in try tx.saveConfigurationOverrides(text) },
                     after: { self.applyConfiguration(changed) })
    }

    private func couriersEffect(_ command: UplinkAcknowledgement.Command) -> CommandEffect {
        guard let couriers = command.couriers else { return .refused("courier_credentials without couriers") }
        guard couriers.count <= 10_000, Set(couriers.map(\.id)).count == couriers.count,
              couriers.allSatisfy({ !$0.id.isEmpty && $0.pinHash.count == 64 && $0.pinHash.allSatisfy(\.isHexDigit) })
        else { return .refused("the courier list has empty or repeated ids, or PIN hashes that are not 64 hex digits") }
        let rows = couriers.map { (id: $0.id, name: $0.name, carrier: $0.carrier ?? "", pinHash: $0.pinHash.lowercased()) }
        return .done("\(rows.count) couriers", alsoWriting: { tx in try tx.replaceServerCouriers(rows) })
    }

    private func revokeEffect(_ command: UplinkAcknowledgement.Command) -> CommandEffect {
        guard let parcelID = command.parcelId, let parcel = model.allLiveParcels.first(where: { $0.id == parcelID }) else {
            return .refused("parcel \(command.parcelId.map(String.init) ?? "?") is not in this cabinet")
        }
        let id = parcel.compartmentID
        // Codes are per door: revoking one ends the code for every parcel behind that door.
        return .done("the code for door \(label(id)) no longer opens it", custody.codeRevoked(compartmentID: id, in: model))
    }

    private func extendEffect(_ command: UplinkAcknowledgement.Command) -> CommandEffect {
        guard let parcelID = command.parcelId, let hours = command.extendHours, hours > 0, hours <= 24 * 90 else {
            return .refused("extend_code needs parcelId and extendHours (0...2160)")
        }
        guard let change = custody.retentionExtended(parcelID: parcelID, bySeconds: hours * 3_600, in: model, now: clock.now()) else {
            return .refused("parcel \(parcelID) is not in this cabinet")
        }
        return .done("retention of parcel \(parcelID) extended by \(hours) h", change)
    }

    private func remoteOpen(_ command: UplinkAcknowledgement.Command) async {
        let now = clock.now()
        guard let settings = configuration.uplink, let keyText = settings.commandPublicKey,
              let keyData = Data(base64Encoded: keyText), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyData)
        else { return refuse(command, "no command key is configured: remote opens are off") }
        guard let signatureText = command.signature, let signature = Data(base64Encoded: signatureText),
              key.isValidSignature(signature, for: Data(command.remoteOpenSignedText(cabinetID: configuration.cabinetID).utf8))
        else { return refuse(command, "the signature does not verify for this cabinet, door and deadline") }
        // Against the latest time ever recorded too: a clock set back does not revive a command.
        let latest = max(now, (try? store.timeHighWater()) ?? .distantFuture)
        guard let deadlineText = command.notAfter, let deadline = try? Date(deadlineText, strategy: .iso8601), deadline > latest else {
            return refuse(command, "expired or without a deadline (notAfter)")
        }
        guard let door = command.door, let compartment = model.compartment(labelled: door) else {
            return refuse(command, "no door is labelled \"\(command.door ?? "")\"")
        }
        let recent: Int? = commit("remote-open count") { tx in
            try tx.downlinkCommandCount(type: "remote_open", status: "done", since: now.addingTimeInterval(-3_600))
        }
        guard let recent, recent < settings.remoteOpensPerHour else {
            logger.critical("remote open refused: the hourly limit is reached", metadata: ["command.id": "\(command.id)"])
            return refuse(command, "the limit of \(settings.remoteOpensPerHour) remote opens per hour is reached")
        }
        let id = compartment.id
        if model.pending[id] != nil || doors[id].isOpen || offlineBoards.contains(map.address(of: id).board) {
            return refuse(command, "door \(compartment.label) is in use, open, or its board is offline")
        }
        let reason = command.reason ?? ""
        // Recorded before the latch moves, like every opening; no record, no opening.
        guard settle(command, effect: .done("door \(compartment.label) unlocked (\(reason))",
                                            custody.latchesPulsed([id], audit: nil, in: model)), compartmentID: id) else { return }
        openedOnCommand[id] = "remote_open \(command.id)"
        if !(await pulse(id)) {
            openedOnCommand[id] = nil
            // The board is offline now (pulse took it there) and the door watch records nothing:
            // say it, so the server does not take the door for opened.
            logger.error("remote open: the board did not accept the unlock", metadata: ["compartment.label": "\(compartment.label)"])
            commit("remote open failed") { tx in
                try tx.append(CustodyEvent(.commandResult, compartmentID: id, payload: [
                    "command_id": .string(command.id), "type": "remote_open", "status": "failed",
                    "detail": .string("the board did not accept the unlock"), "label": .string(compartment.label),
                ]))
            }
        }
    }
}
