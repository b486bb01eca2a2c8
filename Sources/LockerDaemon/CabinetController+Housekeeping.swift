import Foundation
public import LockerCore
public import LockerStore
import LockerReports

/// The housekeeping room: what time passing does (the time high-water mark, the storage budget,
/// overdue parcels, polling offline boards, forgetting grace windows, settling again what the store
/// refused to settle), the configuration in force,
/// pre-advice typed at the simulator's panel, and a store moved aside at start. Decisions are
/// `CustodyStateMachine+Housekeeping`'s; this file touches only the controller.
extension CabinetController {
    /// Copies the WAL into the database file between door operations, never inside the commit of
    /// one (see `CabinetStore.checkpoint`): after every 200 commits (about 1,400 WAL pages), or
    /// 30 s after the last one when fewer came. Called after each input and on each tick; cheap
    /// when not due.
    func checkpointIfDue(now: Date) {
        guard commitsSinceCheckpoint > 0, model.pending.isEmpty,
              commitsSinceCheckpoint >= 200 || lastCheckpoint.map({ now.timeIntervalSince($0) >= 30 }) ?? false
        else { return }
        lastCheckpoint = now
        commitsSinceCheckpoint = 0
        do { try store.checkpoint() } catch { logger.warning("WAL checkpoint failed", metadata: ["error": "\(error)"]) }
    }

    func housekeeping(now: Date) async {
        if lastTimeHighWater.map({ now.timeIntervalSince($0) >= 600 }) ?? true {
            // The latest time seen, kept durably every 10 minutes even when nothing happens, so
            // that setting the clock back cannot revive an expired credential (see presentCredential).
            lastTimeHighWater = now
            commit("time high-water mark") { tx in try tx.advanceTimeHighWater() }
        }
        if lastStorageCheck.map({ now.timeIntervalSince($0) >= 30 }) ?? true {
            lastStorageCheck = now
            checkStorage()
        }
        if let uplink = configuration.uplink, lastBacklogCheck.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            lastBacklogCheck = now
            checkUplinkBacklog(limitHours: uplink.backlogAlarmHours, now: now)
        }
        if let onCompactionDue, lastCompactionDue.map({ now.timeIntervalSince($0) >= 3_600 || $0 > now }) ?? true {
            lastCompactionDue = now
            onCompactionDue(configuration.eventRetentionDays)
        }
        if let onDailySummaryDue, dailySummaryDue.map({ now >= $0.next || now < $0.last }) ?? true {
            // Next: in an hour, or at the local midnight before that (the calendar is worked out
            // here, once per pass, not at every tick).
            let calendar = ReportPeriod.calendar(configuration.reportTimeZone)
            let midnight = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: now)) ?? now
            dailySummaryDue = (last: now, next: min(now.addingTimeInterval(3_600), midnight))
            onDailySummaryDue()
        }
        if lastOverdueCheck.map({ now.timeIntervalSince($0) >= 10 }) ?? true {
            lastOverdueCheck = now
            for change in custody.overdueFound(in: model, now: now) { await carryOut(change, "overdue flag") }
        }
        checkpointIfDue(now: now)
        if !offlineBoards.isEmpty, lastBoardPoll.map({ now.timeIntervalSince($0) >= 5 }) ?? true {
            lastBoardPoll = now
            for board in offlineBoards.sorted() { await boardBack(board) }
        }
        model.expireGraceWindows(now: now)
        for id in unsettledDoors.sorted() where !doors[id].isOpen && !offlineBoards.contains(map.address(of: id).board) {
            unsettledDoors.remove(id)
            // Whoever closed it may have left: settled as interrupted (no sensor, no guess).
            if let pending = model.pending[id] { await settle(id, pending, interrupted: true) }
        }
    }

    /// Compares the store's size and its disk's free space with the configured limits, and makes
    /// the disk reserve again once the disk has room for it twice over (once for the reserve,
    /// once to go on with); records the change when the verdict flips (so the server and the
    /// technician learn of it). A released reserve is a full disk: deposits stop.
    func checkStorage() {
        var (used, free) = storageProbe()
        let budget = Int64(configuration.storeBudgetMegabytes * 1_048_576)
        let reserve = Int64(configuration.minimumFreeDiskMegabytes * 1_048_576)
        if let diskReserve, !diskReserve.isHeld, let room = free, room >= 2 * diskReserve.bytes + reserve {
            if diskReserve.ensure() {
                logger.notice("the disk has room again: the disk reserve was made again", metadata: ["reserve.path": "\(diskReserve.path)"])
                free = storageProbe().volumeFreeBytes
            }
        }
        let reserveReleased = diskReserve.map { !$0.isHeld } ?? false
        let full = used >= budget || (free.map { $0 < reserve } ?? false) || reserveReleased
        guard full != storageFull else { return }
        storageFull = full
        if full {
            // What the server already holds and the retention lets go may free the budget.
            onCompactionDue?(configuration.eventRetentionDays)
            logger.critical("store is full: deposits stop until storeBudgetMegabytes is raised or disk space is freed; pickups go on",
                            metadata: ["store.bytes": "\(used)", "store.budget": "\(budget)", "disk.free": "\(free ?? -1)",
                                       "disk.reserve_released": "\(reserveReleased)"])
        } else {
            logger.notice("store has room again: deposits resume", metadata: ["store.bytes": "\(used)"])
        }
        let change = custody.storageVerdictChanged(full: full, databaseBytes: used, budgetBytes: budget, freeBytes: free,
                                                   reserveBytes: reserve, diskReserveHeld: diskReserve?.isHeld)
        commitAndApply(change, "storage alarm")
    }

    /// An alarm when the server has not acknowledged events for longer than the limit (a dead
    /// link, a halted upload, a server that lost its way), and a record when it caught up.
    func checkUplinkBacklog(limitHours: Double, now: Date) {
        guard let backlog = try? store.uplinkBacklog(), let acknowledged = try? store.uplinkAcknowledgedSequence() else { return }
        let oldest = backlog.oldest.map { (sequence: acknowledged + 1, at: $0) }
        let (change, isOld) = custody.uplinkBacklogChecked(oldestUnsent: backlog.count > 0 ? oldest : nil, unsent: backlog.count,
                                                           limitHours: limitHours, wasOld: uplinkBacklogOld, now: now)
        guard !change.events.isEmpty else { return }
        if isOld {
            logger.error("uplink: the oldest unsent event is older than the limit", metadata: [
                "uplink.unsent": "\(backlog.count)", "uplink.limit_hours": "\(limitHours)"])
        }
        if commitAndApply(change, isOld ? "uplink backlog alarm" : "uplink backlog caught up") { uplinkBacklogOld = isOld }
    }

    /// Records a checkpoint that `RecordCompactor` planned off the loop: on the loop, like every
    /// event, so it joins the chain, the feed and the uplink in order. Nil when the store refused
    /// it (the plan went stale, or the disk is full); nothing is removed then.
    public func recordCheckpoint(_ plan: RecordCheckpoint) -> RecordCheckpoint? {
        let recorded = commit("record checkpoint") { tx in try tx.recordCheckpoint(plan) }
        if recorded != nil { publishNewEvents() }
        return recorded
    }

    /// Puts a changed configuration into force (policy fields only; see `remotelyChangeable`).
    func applyConfiguration(_ changed: CabinetConfiguration) {
        configuration = changed
        custody.attemptPolicy = changed.attemptPolicy
        custody.retention = changed.retentionPolicy
        custody.pickupGraceSeconds = changed.pickupGraceSeconds
        doorPolicy = Self.doorPolicy(changed)
    }

    /// Pre-advice from the central server (its delivery comes with the uplink; the simulator's
    /// front panel can enter some by hand).
    public func addPreAdvice(_ intake: ParcelIntake) {
        commitAndApply(custody.preAdviceReceived(intake), "pre-advice")
    }

    /// The store was damaged and moved aside at start: this database knows nothing of the parcels
    /// in the cabinet. Every door is quarantined (no deposit into a door that may hold a parcel,
    /// no pickup by a code this record never issued) until a technician has looked and enabled
    /// it, and the alarm goes upstream with where the old database was kept.
    ///
    /// Power failure: one transaction; before it commits the next start finds a healthy (new)
    /// database without this record and without the quarantine, which is why the daemon keeps the
    /// moved-aside files (and logs them critically) rather than relying on this alone.
    func storeWasMovedAside(to path: String, reason: String) {
        commitAndApply(custody.storeMovedAside(to: path, reason: reason, in: model), "store moved aside")
    }

    /// The device key was lost and is being made anew: the codes issued under it are recorded as
    /// invalid (see `CustodyStateMachine.codesInvalidated`). False when the store refused.
    func deviceKeyWasLost() -> Bool {
        commitAndApply(custody.codesInvalidated(reason: "device key lost; a new one was made with --new-device-key", in: model),
                       "codes invalidated")
    }
}
