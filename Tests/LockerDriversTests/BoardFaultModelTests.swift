import Foundation
import LockerDrivers
import LockerHAL
import LockerTestSupport
import Synchronization
import Testing

/// Model-based fault test, one per board family (issue 14): random person actions (open with a
/// code, force a door, close, put, take) and faults (silence, reboot, lost request, lost reply,
/// stale frame, noise, the USB adapter unplugged and plugged in again, lockerd stopped and started
/// with a new driver) against the real driver and the family's simulated firmware on a
/// pseudo-terminal. A recorder does with the driver's events what the daemon does (follows the
/// sensors, re-reads and reconciles the board when it comes back, raises an alarm for a door seen
/// opening without a command). After every step the board answers, the recorded doors and items
/// equal the model's, every door forced open was alarmed unless nobody could have seen it, and no
/// door was alarmed that nobody forced.
///
/// `LOCKERD_FAULT_STEPS` sets the steps per family (`make test-faults` runs many more).
@Suite(.serialized) struct BoardFaultModelTests {
    /// What the daemon would record from the driver's events.
    final class Recorder: HardwareEventHandler {
        struct State: Sendable {
            var doors = Array(repeating: false, count: FaultModelRig.channels)
            var items = Array(repeating: false, count: FaultModelRig.channels)
            var commanded = Array(repeating: false, count: FaultModelRig.channels)
            var alarmed = Array(repeating: false, count: FaultModelRig.channels)
            var online = true
            var reconciliations = 0
        }

        let state = Mutex(State())
        /// The rig, whose driver is replaced when lockerd restarts; the recorder itself stands for
        /// what the store keeps (the recorded doors, and doors opened by a command: pending
        /// operations survive a restart).
        let rig: FaultModelRig

        init(rig: FaultModelRig) { self.rig = rig }

        func handle(_ event: HardwareEvent) async {
            switch event {
            case .doorChanged(_, let channel, let isOpen): door(channel - 1, open: isOpen)
            case .itemChanged(_, let channel, let present): state.withLock { $0.items[channel - 1] = present }
            case .boardLost: state.withLock { $0.online = false }
            case .boardBack: await reconcile()
            default: break
            }
        }

        /// As the daemon on a board's return and at start: re-read every door before trusting the
        /// board again. Returns false if the board did not answer.
        @discardableResult
        func reconcile() async -> Bool {
            guard let status = try? await rig.driver.readStatus() else { return false }
            for index in status.doorOpen.indices { door(index, open: status.doorOpen[index]) }
            state.withLock { state in
                if let items = status.itemPresent { state.items = items }
                state.online = true
                state.reconciliations += 1
            }
            return true
        }

        private func door(_ index: Int, open: Bool) {
            state.withLock { state in
                if open && !state.doors[index] && !state.commanded[index] { state.alarmed[index] = true }
                if !open { state.commanded[index] = false }
                state.doors[index] = open
            }
        }
    }

    static var steps: Int { ProcessInfo.processInfo.environment["LOCKERD_FAULT_STEPS"].flatMap(Int.init) ?? 600 }

    @Test(arguments: FaultModelRig.Family.allCases)
    func randomPeopleAndFaultsNeverLeaveAWrongRecord(family: FaultModelRig.Family) async throws {
        let seed = ProcessInfo.processInfo.environment["LOCKERD_FAULT_SEED"].flatMap(UInt64.init)
            ?? UInt64(family.rawValue.unicodeScalars.reduce(7) { $0 &* 31 &+ UInt64($1.value) })
        var random = SplitMix64(seed: seed)
        let rig = try FaultModelRig(family)
        let recorder = Recorder(rig: rig)
        var log: [String] = []
        /// While one lasts nobody reads the board: the bus is cut, the adapter is unplugged, or
        /// lockerd is not running.
        enum Outage: String { case busCut = "bus cut", unplugged = "adapter unplugged", lockerdDown = "lockerd stopped" }
        var outage: Outage?
        var silent: Bool { outage != nil }
        var outages: [Outage: Int] = [:]
        var bootID: UInt16 = 1
        /// Doors forced open that the recorder owes an alarm for.
        var owed = Set<Int>()
        /// Doors open when their board restarted: the board forgot their opening.
        var forgotten = Set<Int>()
        /// Doors forced since the last check: the only ones an alarm may name.
        var forced = Set<Int>()
        /// Doors whose change was still in the board's queue when it restarted: the change is gone,
        /// so a door the record still shows open that is forced open again shows no change at all.
        var lostByReboot = Set<Int>()
        var failed = false
        func fail(_ what: String) {
            guard !failed else { return }
            failed = true
            Issue.record("\(family.rawValue), seed \(seed), step \(log.count): \(what)\nlast steps:\n\(log.suffix(25).joined(separator: "\n"))")
        }

        await rig.driver.pollOnce(delivering: recorder)  // the baseline
        let started = ContinuousClock.now
        for _ in 0..<Self.steps where !failed {
            let channel = Int.random(in: 1...FaultModelRig.channels, using: &random)
            let doorOpen = rig.locks.doors[channel - 1]
            // A silence lasts a few steps (each of its polls waits out the reply timeout).
            let roll = silent && Int.random(in: 0..<3, using: &random) == 0 ? 56 : Int.random(in: 0..<100, using: &random)
            switch roll {
            case 0..<14 where !doorOpen && !silent:
                log.append("open \(channel) with a code")
                recorder.state.withLock { $0.commanded[channel - 1] = true }
                do { try await rig.driver.unlock(channel: channel, pulseMilliseconds: 300) } catch { log.append("  unlock: \(error)") }
            case 0..<24 where !doorOpen:
                log.append("force \(channel) open")
                // A polled board read again shows only the difference from the record: a door
                // recorded open and found open again after a silence shows nothing.
                let changesUnseen = (silent && !family.queuesEvents) || lostByReboot.contains(channel)
                if !(changesUnseen && recorder.state.withLock({ $0.doors[channel - 1] })) {
                    owed.insert(channel)
                }
                forgotten.remove(channel)
                forced.insert(channel)
                rig.setDoor(channel, open: true)
            case 0..<44 where doorOpen:
                log.append("close \(channel)")
                if silent && (!family.queuesEvents || forgotten.contains(channel))
                    && !recorder.state.withLock({ $0.alarmed[channel - 1] }) {
                    owed.remove(channel)  // opened and closed while nobody could read it
                }
                rig.setDoor(channel, open: false)
            case 44..<56 where doorOpen:
                let present = !rig.locks.items.withLock { $0[channel - 1] }
                log.append("\(present ? "put into" : "take from") \(channel)")
                rig.setItem(channel, present: present)
            case 56..<60:
                if let ending = outage {
                    outage = nil
                    switch ending {
                    case .busCut:
                        log.append("bus back")
                        rig.server.setSilent(false)
                    case .unplugged:
                        log.append("adapter plugged in again")
                        try rig.server.replug()
                    case .lockerdDown:
                        log.append("lockerd starts with a new driver and reads every door")
                        try rig.startHost()
                        if !(await recorder.reconcile()) { fail("the board did not answer lockerd's start-up read") }
                    }
                } else {
                    let starting: Outage = switch Int.random(in: 0..<4, using: &random) {
                    case 0: .unplugged
                    case 1: .lockerdDown
                    default: .busCut
                    }
                    outage = starting
                    outages[starting, default: 0] += 1
                    log.append("\(starting.rawValue): nobody reads the board")
                    switch starting {
                    case .busCut: rig.server.setSilent(true)
                    case .unplugged: rig.server.unplug()
                    case .lockerdDown: await rig.stopHost()
                    }
                }
            case 64..<68 where family.canReboot:
                bootID &+= 1
                log.append("reboot (boot \(bootID))")
                // What the board forgot is seen only if the door still shows it.
                let alarmed = recorder.state.withLock { $0.alarmed }
                owed = owed.filter { door in rig.locks.doors[door - 1] || alarmed[door - 1] }
                forgotten.formUnion(owed.filter { !alarmed[$0 - 1] })
                let recordedDoors = recorder.state.withLock { $0.doors }
                lostByReboot.formUnion((1...FaultModelRig.channels).filter { rig.locks.doors[$0 - 1] != recordedDoors[$0 - 1] })
                rig.reboot(bootID: bootID)
            case 68..<76:
                log.append("next request lost")
                rig.server.loseRequests(1)
            case 76..<84:
                log.append("next reply lost")
                rig.server.loseReplies(1)
            case 84..<92:
                log.append("stale frame on the line")
                rig.server.inject(rig.staleFrame())
            case 92..<100:
                log.append("noise on the line")
                rig.server.inject((0..<Int.random(in: 1...12, using: &random)).map { _ in UInt8.random(in: 1...255, using: &random) })
            default:
                log.append("nothing")
            }
            rig.flushPulses()
            if outage != .lockerdDown { await rig.driver.pollOnce(delivering: recorder) }
            rig.server.loseRequests(0)
            rig.server.loseReplies(0)
            guard !silent else { continue }
            // The board answers: one more poll settles what the step's fault delayed.
            await rig.driver.pollOnce(delivering: recorder)
            let recorded = recorder.state.withLock { $0 }
            guard recorded.online else { continue }
            if recorded.doors != rig.locks.doors { fail("recorded doors \(recorded.doors), the model's \(rig.locks.doors)") }
            if family.hasItemSensors, recorded.items != rig.locks.items.withLock({ $0 }) {
                fail("recorded items \(recorded.items), the model's \(rig.locks.items.withLock { $0 })")
            }
            for door in owed where !recorded.alarmed[door - 1] { fail("door \(door) was forced open and raised no alarm") }
            for door in 1...FaultModelRig.channels where recorded.alarmed[door - 1] && !forced.contains(door) {
                fail("door \(door) raised an alarm, but nobody forced it (a frame that was not the reply decided?)")
            }
            owed.removeAll()
            forced.removeAll()
            forgotten.removeAll()
            lostByReboot.removeAll()
            recorder.state.withLock { $0.alarmed = Array(repeating: false, count: FaultModelRig.channels) }
        }
        let elapsed = ContinuousClock.now - started
        print("fault model \(family.rawValue): seed \(seed), \(Self.steps) steps, "
              + "\(recorder.state.withLock { $0.reconciliations }) reconciliations, "
              + "\(rig.bus.discardedBytes) stale bytes discarded since the last start, outages \(outages.map { "\($0.key.rawValue) \($0.value)" }.sorted()), "
              + "\(elapsed)")
        await rig.stop()
    }
}
