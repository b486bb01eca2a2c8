public import Foundation
public import LockerStore
public import Logging
import Synchronization

/// Store-and-forward to the central server: reads the outbox in sequence order, sends a batch,
/// and moves the durable acknowledgement forward only on the server's word.
///
/// One `attempt` is one request. `run` repeats attempts, waits out the backoff after a failure,
/// and otherwise sleeps until new events are recorded (`wake`) or the poll interval passes. It
/// never touches the cabinet's loop: it only reads events and writes the acknowledgement.
///
/// Power failure at each step: before the request, nothing changed. During the request or before
/// the answer is read: the server may or may not have stored the batch; it is sent again and the
/// server ignores what it already has (`(epoch, sequence)`). After the answer and before the
/// acknowledgement commit: the same. After the commit: those events are not sent again.
///
/// A `409 hash_conflict` or `422 bad_hash` halts the upload (durably, with an `uplink.halted`
/// alarm in the same commit): resending cannot resolve it, people must. While halted the cabinet
/// only polls (commands still arrive); `lockerctl uplink resume` lifts the halt.
public final class UplinkService: Sendable {
    /// What one attempt did, and how long `run` waits before the next.
    public enum Outcome: Sendable, Equatable {
        /// The server acknowledged up to `acknowledged`; more may be waiting.
        case delivered(acknowledged: Int64, events: Int)
        /// Nothing to send and the poll was answered.
        case polled
        /// The attempt failed; wait this long.
        case failed(retryInSeconds: Double, reason: String)
        /// The upload is halted until people resolve a conflict; only commands were polled.
        case halted(reason: String)
    }

    let configuration: UplinkConfiguration
    let cabinetID: String
    let store: CabinetStore
    /// Batches out, replies and pushed messages in (see `UplinkMessageTransport`).
    let transport: any UplinkMessageTransport
    private let replies = UplinkReplyRouter()
    private let nextMessageID = Mutex<UInt64>(0)
    let key: CabinetSigningKey
    let doorLabel: @Sendable (Int) -> String?
    let logger: Logger
    let backoff: UplinkBackoff
    let endpoint: URL
    /// Where the server's commands go (the daemon hands them to the cabinet loop).
    let commandSink: (@Sendable ([UplinkAcknowledgement.Command]) async -> Void)?
    /// Records a halt with its alarm; false when the store refused it. The daemon records it on
    /// the cabinet loop (so the maintenance feed shows the alarm at once); without one the
    /// service writes it to the store itself.
    let haltRecorder: @Sendable (UplinkHalt) async -> Bool

    private let statusBox = Mutex(UplinkStatus())
    /// Where the next batch starts: the durable acknowledgement, or lower when a server answered
    /// that it holds less than that (it lost data: resend, it drops what it has).
    private let cursor: Mutex<Int64?> = Mutex(nil)
    /// The highest sequence this process has sent of an epoch. The server may have received
    /// every event up to it, so an answer up to there claims nothing it was never sent.
    private let highestSent = Mutex<(epoch: String, sequence: Int64)?>(nil)
    private let random = Mutex(SystemRandomNumberGenerator())
    /// A `run` waiting for new events, or a wake that came while nobody waited.
    private let waiter = Mutex<(continuation: CheckedContinuation<Void, Never>?, pending: Bool)>((nil, false))

    /// Over a request/response transport (HTTPS): each answer is the reply to its batch.
    public convenience init(
        configuration: UplinkConfiguration, cabinetID: String, store: CabinetStore, transport: any UplinkTransport,
        key: CabinetSigningKey, doorLabel: @escaping @Sendable (Int) -> String?, logger: Logger,
        commandSink: (@Sendable ([UplinkAcknowledgement.Command]) async -> Void)? = nil,
        haltRecorder: (@Sendable (UplinkHalt) async -> Bool)? = nil
    ) throws {
        try self.init(configuration: configuration, cabinetID: cabinetID, store: store,
                      messages: RequestResponseMessageTransport(transport), key: key, doorLabel: doorLabel, logger: logger,
                      commandSink: commandSink, haltRecorder: haltRecorder)
    }

    /// Over a message transport: replies matched to batches by message id, and what the server
    /// pushes on its own (commands) handed to `commandSink` as it comes.
    public init(
        configuration: UplinkConfiguration, cabinetID: String, store: CabinetStore, messages: any UplinkMessageTransport,
        key: CabinetSigningKey, doorLabel: @escaping @Sendable (Int) -> String?, logger: Logger,
        commandSink: (@Sendable ([UplinkAcknowledgement.Command]) async -> Void)? = nil,
        haltRecorder: (@Sendable (UplinkHalt) async -> Bool)? = nil
    ) throws {
        self.commandSink = commandSink
        self.haltRecorder = haltRecorder ?? { [store, logger] halt in
            do {
                try store.haltUplink(halt, at: EventStamp(wallClock: halt.haltedAt, monotonicNanoseconds: DispatchTime.now().uptimeNanoseconds))
                return true
            } catch {
                logger.error("uplink: the halt could not be recorded", metadata: ["error": "\(error)"])
                return false
            }
        }
        guard let base = URL(string: configuration.url) else {
            throw HTTPSUplinkTransport.SetupError(description: "uplink.url \(configuration.url) is not a URL")
        }
        self.configuration = configuration
        self.cabinetID = cabinetID
        self.store = store
        self.transport = messages
        self.key = key
        self.doorLabel = doorLabel
        self.logger = logger
        self.backoff = UplinkBackoff(baseSeconds: configuration.backoffBaseSeconds, capSeconds: configuration.backoffCapSeconds)
        // One component at a time: each is percent-encoded once, whatever the cabinet id holds.
        self.endpoint = base.appendingPathComponent("v1").appendingPathComponent("cabinets")
            .appendingPathComponent(cabinetID).appendingPathComponent("events")
        let halt = try? store.uplinkHalt()
        statusBox.withLock {
            $0.acknowledgedSequence = (try? store.uplinkAcknowledgedSequence()) ?? 0
            $0.halt = halt
            if halt != nil { $0.state = .halted }
        }
        // The one reader of the transport's stream, until `shutdown` finishes it.
        Task { [replies, transport, commandSink, logger] in
            for await incoming in transport.incoming {
                switch incoming {
                case .reply(let id, let response):
                    replies.deliver(response, to: id)
                case .pushed(let response):
                    // Commands are carried out whenever they come; an acknowledgement pushed on
                    // its own is not weighed here (it names no batch): the next batch's reply
                    // carries the server's word again.
                    guard response.status == 200,
                          let answer = try? UplinkEventBatch.decoder().decode(UplinkAcknowledgement.self, from: response.body) else {
                        logger.warning("uplink: the server pushed something that is not an acknowledgement",
                                       metadata: ["uplink.status": "\(response.status)", "uplink.bytes": "\(response.body.count)"])
                        continue
                    }
                    if let commands = answer.commands, !commands.isEmpty { await commandSink?(commands) }
                }
            }
            replies.finish()
        }
    }

    public var status: UplinkStatus { statusBox.withLock { $0 } }

    /// Closes the transport's connections (after `run` was cancelled).
    public func shutdown() async {
        await transport.shutdown()
    }

    /// New events were recorded: send them now rather than at the next poll.
    public func wake() {
        let waiting = waiter.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let continuation = state.continuation else {
                state.pending = true
                return nil
            }
            state.continuation = nil
            return continuation
        }
        waiting?.resume()
    }

    /// Sends until cancelled. `sleep` is the clock (injected in tests).
    public func run(sleep: @escaping @Sendable (Double) async -> Void = { try? await Task.sleep(for: .seconds($0)) }) async {
        var lastContact = Date.distantPast
        while !Task.isCancelled {
            // Halted: nothing is pending (only the poll goes out, for commands).
            let halted = ((try? store.uplinkHalt()) ?? nil) != nil
            let pending = !halted && (((try? store.uplinkBacklog().count) ?? 0) > 0 || cursorLagsBehind())
            let sincePoll = Date().timeIntervalSince(lastContact)
            if !pending && sincePoll < configuration.pollSeconds {
                // Idle: until events are recorded or the poll is due (no polling of the store).
                await waitForWake(orSeconds: configuration.pollSeconds - sincePoll, sleep: sleep)
                continue
            }
            switch await attempt(now: Date()) {
            case .delivered, .polled, .halted:
                lastContact = Date()
            case .failed(let seconds, _):
                await sleep(seconds)
            }
        }
    }

    private func waitForWake(orSeconds seconds: Double, sleep: @escaping @Sendable (Double) async -> Void) async {
        let timer = Task {
            await sleep(max(0.05, seconds))
            if !Task.isCancelled { self.wake() }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = waiter.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    state.continuation = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            self.wake()
        }
        timer.cancel()
    }

    private func cursorLagsBehind() -> Bool {
        guard let cursor = cursor.withLock({ $0 }) else { return false }
        return cursor < ((try? store.uplinkAcknowledgedSequence()) ?? 0)
    }

    /// One request: the next batch (or an empty poll), its answer, and the acknowledgement.
    public func attempt(now: Date) async -> Outcome {
        let outcome: Outcome
        do {
            outcome = try await send(now: now)
        } catch let failure as AttemptFailure {
            outcome = fail(failure.reason, retryAfter: failure.retryAfter, now: now)
        } catch {
            outcome = fail("\(error)", retryAfter: nil, now: now)
        }
        return outcome
    }

    struct AttemptFailure: Error {
        var reason: String
        var retryAfter: Double?
    }

    /// A batch ready to go: its events, the signed body, and where it stands.
    private struct PreparedBatch: Sendable {
        /// Set when the upload is halted: the batch is an empty poll.
        var halt: UplinkHalt?
        var start: Int64
        var epoch: String
        var firstSequence: Int64
        var events: [RecordedEvent]
        var body: Data
        var signature: String
        /// The body gzip-compressed, when the server takes it and the body is worth it.
        var gzipped: Data?
    }

    /// The server needs events this cabinet compacted (see `prepare`).
    struct CompactedAway: Error {
        var epoch: String
        var sequence: Int64
        var next: Int64
    }

    private func send(now: Date) async throws -> Outcome {
        statusBox.withLock { $0.state = .sending }
        // Store reads, JSON encoding and signing run on the uplink's own thread, at a lower CPU
        // priority: the shared concurrency threads and the cores are the cabinet loop's too.
        let prepared: PreparedBatch
        do {
            prepared = try await preparation.run { try self.prepare(now: now) }
        } catch let gone as CompactedAway {
            logger.critical("uplink: the server holds less than this cabinet compacted; upload halted until people resolve it",
                            metadata: ["epoch": "\(gone.epoch)", "uplink.needed_from": "\(gone.sequence)"])
            // Once resumed, the upload starts again from the durable acknowledgement.
            cursor.withLock { $0 = nil }
            return try await halt(UplinkHalt(
                epoch: gone.epoch, sequence: gone.sequence, code: UplinkHalt.eventsCompacted,
                detail: "the server holds events only up to \(gone.sequence - 1), and events \(gone.sequence)...\(gone.next - 1) were "
                    + "compacted behind a checkpoint (lockerctl audit verify shows it)", haltedAt: now))
        }
        if prepared.halt != nil { statusBox.withLock { $0.state = .halted } }
        let acknowledgedAtLaunch = (try? store.uplinkAcknowledgedSequence()) ?? prepared.start
        // After a low answer (the cursor below the durable mark) one batch finds out what the
        // server really holds; a window would resend several.
        if prepared.halt == nil, !prepared.events.isEmpty, prepared.start >= acknowledgedAtLaunch, let window = windowInForce() {
            return try await sendWindow(first: prepared, acknowledged: acknowledgedAtLaunch, window: window, now: now)
        }
        noteSent(prepared)
        let requestStarted = ContinuousClock.now
        let response = try await post(prepared)
        let outcome = try await weigh(response, of: prepared, acknowledgedAtLaunch: acknowledgedAtLaunch, expectProgress: true,
                                      now: now)
        if case .delivered = outcome, !prepared.events.isEmpty {
            noteDrainRate(events: prepared.events.count, since: requestStarted)
        }
        return outcome
    }

    /// The window the server allows (contract version 3) and this cabinet uses: batches in flight
    /// and the reach beyond the acknowledgement the server holds. Nil: one batch at a time.
    private func windowInForce() -> (batches: Int, events: Int64)? {
        let (version, batches, reach) = statusBox.withLock { ($0.serverContractVersion ?? 1, $0.serverWindow, $0.serverWindowEvents) }
        guard version >= 3, let batches, batches > 1, configuration.batchesInFlight > 1, let reach, reach > 0 else { return nil }
        return (min(batches, configuration.batchesInFlight), reach)
    }

    /// Several batches in flight (contract version 3), each on its own keep-alive connection, so
    /// the cabinet prepares and the server stores at the same time. They may reach the server in
    /// any order; it holds those beyond a gap within its announced reach, and its contiguous
    /// acknowledgement stays the only truth: the durable mark moves only by it, exactly as with
    /// one batch at a time. Each batch starts where the previous one ended, all of one epoch.
    /// The first failure stops new batches; those in flight are still weighed, and the next
    /// attempt starts from the durable mark (the server drops what it already has).
    private func sendWindow(first: PreparedBatch, acknowledged durableAtStart: Int64, window: (batches: Int, events: Int64),
                            now: Date) async throws -> Outcome {
        let started = ContinuousClock.now
        var delivered = 0
        var acknowledged = durableAtStart
        var failure: AttemptFailure?
        var halted: Outcome?
        try await withThrowingTaskGroup(of: (PreparedBatch, Int64, Result<UplinkHTTPResponse, AttemptFailure>).self) { group in
            var inFlight = 0
            var nextStart = first.events.last!.sequence
            var stop = false
            func launch(_ batch: PreparedBatch, acknowledgedAtLaunch: Int64) {
                noteSent(batch)
                inFlight += 1
                group.addTask {
                    do {
                        return (batch, acknowledgedAtLaunch, .success(try await self.post(batch)))
                    } catch let failed as AttemptFailure {
                        return (batch, acknowledgedAtLaunch, .failure(failed))
                    }
                }
            }
            launch(first, acknowledgedAtLaunch: acknowledged)
            while inFlight > 0 {
                // Fill the window: never beyond the reach the server holds past its acknowledgement.
                while !stop, inFlight < window.batches, nextStart - acknowledged < window.events {
                    let from = nextStart
                    let more = try await preparation.run { try self.prepare(now: now, after: from) }
                    guard let last = more.events.last?.sequence, more.epoch == first.epoch else { break }
                    launch(more, acknowledgedAtLaunch: acknowledged)
                    nextStart = last
                }
                guard let (batch, acknowledgedAtLaunch, result) = try await group.next() else { break }
                inFlight -= 1
                do {
                    let response = try result.get()
                    // An answer that stores nothing is a failure only for the batch at the head of
                    // the line: one further along may have overtaken it.
                    let leading = batch.start <= acknowledged
                    let outcome = try await weigh(response, of: batch, acknowledgedAtLaunch: acknowledgedAtLaunch,
                                                  expectProgress: leading, now: now)
                    switch outcome {
                    case .delivered(let mark, _):
                        acknowledged = max(acknowledged, mark)
                        delivered += batch.events.count
                    case .halted:
                        halted = outcome
                        stop = true
                    case .polled, .failed:
                        break
                    }
                    // The server answered below what it had acknowledged when this batch left:
                    // it lost events. Start again from its word rather than run ahead of it.
                    if cursor.withLock({ ($0 ?? acknowledged) < acknowledged }) { stop = true }
                } catch let failed as AttemptFailure {
                    failure = failure ?? failed
                    stop = true
                }
            }
        }
        if let halted { return halted }
        if let failure, delivered == 0 { throw failure }
        if delivered > 0 { noteDrainRate(events: delivered, since: started) }
        return .delivered(acknowledged: (try? store.uplinkAcknowledgedSequence()) ?? acknowledged, events: delivered)
    }

    /// Remembers the highest sequence sent of an epoch: the server's word counts up to there.
    private func noteSent(_ batch: PreparedBatch) {
        guard let last = batch.events.last?.sequence else { return }
        highestSent.withLock { sent in
            if sent?.epoch != batch.epoch || sent!.sequence < last { sent = (batch.epoch, last) }
        }
    }

    /// Measured on the monotonic clock around the requests: the injected `now` of the tests and a
    /// wall clock NTP moves say nothing about how long they took.
    private func noteDrainRate(events: Int, since started: ContinuousClock.Instant) {
        let elapsed = started.duration(to: .now)
        let seconds = max(1e-3, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        let rate = Double(events) / seconds
        statusBox.withLock { $0.drainEventsPerSecond = $0.drainEventsPerSecond.map { 0.7 * $0 + 0.3 * rate } ?? rate }
    }

    private func post(_ batch: PreparedBatch) async throws(AttemptFailure) -> UplinkHTTPResponse {
        var headers = [("Lockerd-Signature", batch.signature), ("Lockerd-Contract", String(UplinkEventBatch.contractVersion))]
        var body = batch.body
        if let gzipped = batch.gzipped {
            body = gzipped
            headers.append(("Content-Encoding", "gzip"))
        }
        let id = nextMessageID.withLock { id -> UInt64 in
            id += 1
            return id
        }
        replies.expect(id)
        do {
            try await transport.send(UplinkMessage(id: id, body: body, headers: headers), to: endpoint,
                                     timeoutSeconds: configuration.timeoutSeconds)
            return try await replies.reply(to: id, within: configuration.timeoutSeconds)
        } catch {
            replies.forget(id, because: "\(error)")
            throw AttemptFailure(reason: "no answer from \(endpoint.host ?? "the server"): \(error)")
        }
    }

    /// What the server's answer to `batch` means: commands handed on, the acknowledgement moved
    /// by its word, a halt on a conflict, or a failure to back off from.
    private func weigh(_ response: UplinkHTTPResponse, of batch: PreparedBatch, acknowledgedAtLaunch: Int64,
                       expectProgress: Bool, now: Date) async throws -> Outcome {
        let epoch = batch.epoch
        switch response.status {
        case 200:
            guard let answer = try? UplinkEventBatch.decoder().decode(UplinkAcknowledgement.self, from: response.body) else {
                throw AttemptFailure(reason: "the server's answer is not an acknowledgement (\(response.body.count) bytes)")
            }
            statusBox.withLock {
                let version = answer.contractVersion ?? 1
                $0.serverContractVersion = version
                $0.serverWindow = version >= 3 ? answer.window.map { min(max($0, 1), 16) } : nil
                $0.serverWindowEvents = version >= 3 ? answer.windowEvents : nil
                $0.serverAcceptsGzip = version >= 3 && (answer.contentEncodings ?? []).contains("gzip")
            }
            guard answer.epoch == epoch else {
                throw AttemptFailure(reason: "the server acknowledged epoch \(answer.epoch), not \(epoch)")
            }
            if let commands = answer.commands, !commands.isEmpty {
                // Carried out by the cabinet loop, each once; results travel back as events. Before
                // the acknowledgement is weighed, so an upload problem never holds up a revocation.
                await commandSink?(commands)
            }
            if let halt = batch.halt {
                return .halted(reason: "halted: \(halt.code) at event \(halt.sequence.map(String.init) ?? "?") of epoch \(halt.epoch)")
            }
            return try await offloaded {
                try self.acknowledge(answer.ackedSequence, epoch: epoch, firstSequence: batch.firstSequence, start: batch.start,
                                     sent: batch.events, acknowledgedAtLaunch: acknowledgedAtLaunch,
                                     expectProgress: expectProgress, now: now)
            }
        case 429, 503:
            throw AttemptFailure(reason: "the server is busy (HTTP \(response.status))",
                                 retryAfter: UplinkRetryAfter.seconds(response.retryAfter, now: now))
        case 409, 422:
            let problem = try? UplinkEventBatch.decoder().decode(UplinkProblem.self, from: response.body)
            let code = problem?.code ?? (response.status == 409 ? "hash_conflict" : "bad_hash")
            logger.critical("uplink: the server holds a different event under one of ours, or cannot recompute one; upload halted until people resolve it",
                            metadata: ["epoch": "\(epoch)", "problem": "\(code): \(problem?.message ?? "")"])
            return try await halt(UplinkHalt(epoch: epoch, sequence: problem?.sequence, code: code,
                                             detail: problem?.message ?? "HTTP \(response.status)", haltedAt: now))
        default:
            let problem = try? UplinkEventBatch.decoder().decode(UplinkProblem.self, from: response.body)
            throw AttemptFailure(reason: "HTTP \(response.status)\(problem.map { ": \($0.code): \($0.message)" } ?? "")",
                                 retryAfter: UplinkRetryAfter.seconds(response.retryAfter, now: now))
        }
    }

    /// Stops sending events until a technician resumes (the alarm goes up with the halt).
    private func halt(_ halt: UplinkHalt) async throws -> Outcome {
        guard await haltRecorder(halt) else {
            throw AttemptFailure(reason: "conflict (\(halt.code)): \(halt.detail); the halt could not be recorded")
        }
        let reason = "halted: \(halt.code) at event \(halt.sequence.map(String.init) ?? "?") of epoch \(halt.epoch): \(halt.detail)"
        statusBox.withLock {
            $0.state = .halted
            $0.halt = halt
            $0.lastError = reason
            $0.lastErrorAt = halt.haltedAt
            $0.backoffSeconds = nil
        }
        return .halted(reason: reason)
    }

    /// The next batch: from the durable mark (or the cursor below it after a low answer), or,
    /// with `explicitStart`, right after a batch already in flight.
    private func prepare(now: Date, after explicitStart: Int64? = nil) throws -> PreparedBatch {
        if let halt = try store.uplinkHalt() {
            // Only a poll: commands (a revocation) must still arrive while people investigate.
            let head = try store.chainHead()
            let epoch = store.epoch
            let firstSequence = try store.firstSequence(ofEpoch: epoch) ?? head.sequence + 1
            let batch = UplinkEventBatch(cabinetId: cabinetID, epoch: epoch, epochFirstSequence: firstSequence, sentAt: now,
                                         chainHead: .init(sequence: head.sequence, hash: head.hash, epoch: head.epoch), events: [])
            let body = try encode(batch, events: [])
            statusBox.withLock { $0.halt = halt }
            return PreparedBatch(halt: halt, start: head.sequence, epoch: epoch, firstSequence: firstSequence, events: [], body: body,
                                 signature: try key.signatureHeader(for: body))
        }
        statusBox.withLock {
            // Lifted by a technician since the last attempt.
            if $0.halt != nil { $0.halt = nil }
        }
        let acknowledged = try store.uplinkAcknowledgedSequence()
        if explicitStart == nil, let resend = try store.uplinkResendFrom() {
            // The server asked for events again (`resend_events`, validated by the cabinet loop):
            // the next batches start there, and its answers take the cursor back up as for a low answer.
            cursor.withLock { current in current = min(current ?? acknowledged, max(0, resend - 1)) }
            try store.clearUplinkResendFrom()
        }
        let start = explicitStart ?? cursor.withLock { current in
            if current == nil || current! > acknowledged { current = acknowledged }
            return current!
        }
        var events = try store.eventsForUpload(after: start, limit: configuration.batchEvents)
        if let first = events.first, first.sequence != start + 1 {
            // Only compaction leaves a hole (the store refuses any other removal): the server
            // holds less than the cut of a checkpoint, and what it lacks is gone for good.
            throw CompactedAway(epoch: first.epoch, sequence: start + 1, next: first.sequence)
        }
        let head = try store.chainHead()
        let epoch = events.first?.epoch ?? store.epoch
        let firstSequence = try store.firstSequence(ofEpoch: epoch) ?? (events.first?.sequence ?? head.sequence + 1)
        let batch = UplinkEventBatch(
            cabinetId: cabinetID, epoch: epoch, epochFirstSequence: firstSequence, sentAt: now,
            chainHead: .init(sequence: head.sequence, hash: head.hash, epoch: head.epoch), events: [])
        var body = try encode(batch, events: events)
        // Over the byte budget: fewer events, cut in proportion to the bytes at once (events are
        // of similar size), then by quarters (at least one always goes: a single huge event must
        // still leave, or it would block everything behind it).
        if body.count > configuration.effectiveBatchBytes && events.count > 1 {
            let fitting = Int(Double(events.count) * Double(configuration.effectiveBatchBytes) / Double(body.count) * 0.95)
            events.removeLast(events.count - max(1, fitting))
            body = try encode(batch, events: events)
        }
        while body.count > configuration.effectiveBatchBytes && events.count > 1 {
            events.removeLast(max(1, events.count / 4))
            body = try encode(batch, events: events)
        }
        // Cellular bytes cost money: a server that accepts gzip gets batches compressed (a poll or
        // a few events are not worth it), here on the uplink's queue like the encoding. The
        // signature covers the JSON before compression.
        let gzipped = body.count >= Self.compressionThreshold && statusBox.withLock({ $0.serverAcceptsGzip })
            ? try? UplinkCompression.gzip(body) : nil
        return PreparedBatch(halt: nil, start: start, epoch: epoch, firstSequence: firstSequence, events: events, body: body,
                             signature: try key.signatureHeader(for: body), gzipped: gzipped)
    }

    /// Bodies smaller than this go uncompressed.
    static let compressionThreshold = 1_024

    /// Where batches are prepared: the bulk of the uplink's CPU time, yielding to the cabinet.
    private let preparation = BackgroundWorkThread(name: "lockerd.uplink")
    /// Where acknowledgements are recorded: a write transaction, which a pickup's commit waits
    /// for, so it runs at normal priority (on the low-priority thread, a busy core would hold the
    /// store's writer, and the pickup behind it, for as long as the scheduler kept that thread
    /// waiting).
    private let work = DispatchQueue(label: "lockerd.uplink.ack")

    private func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            work.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Moves the acknowledgement by the server's word. The server's number is per epoch; the
    /// store's is over all epochs, so it may move to the end of an epoch the server has all of
    /// (including more than this database: a restored backup), but never into a gap.
    ///
    /// A low answer (below what was acknowledged before: a stale or reordered answer, or a server
    /// that really lost events) costs one batch: the next batch starts at the server's word, and
    /// its answer, when the server does hold more, takes the cursor straight back.
    ///
    /// `acknowledgedAtLaunch` is the durable mark when the batch left: with several batches in
    /// flight their answers may come back in another order than the server gave them, and only
    /// an answer below that mark says the server lost something. `expectProgress` is false for a
    /// batch that another, still in flight, may have overtaken.
    private func acknowledge(
        _ acked: Int64, epoch: String, firstSequence: Int64, start: Int64, sent: [RecordedEvent],
        acknowledgedAtLaunch: Int64, expectProgress: Bool, now: Date
    ) throws -> Outcome {
        let lastOfEpoch = try store.lastSequence(ofEpoch: epoch) ?? (firstSequence - 1)
        let before = try store.uplinkAcknowledgedSequence()
        // The server's word counts up to events it was sent at some point: this batch, anything
        // sent earlier by this process, or acknowledged before. Beyond that, short of the epoch's
        // end, it is not trusted: events it claims but never received would otherwise be skipped
        // for good once the next epoch starts. When it holds the whole epoch (a restored database
        // whose original already sent more) it counts to the epoch's end.
        let lastSent = sent.last?.sequence ?? start
        let everSent = highestSent.withLock { $0?.epoch == epoch ? $0!.sequence : 0 }
        let ceiling = max(lastSent, start, min(before, lastOfEpoch), min(everSent, lastOfEpoch))
        let reach = acked >= lastOfEpoch ? lastOfEpoch : min(max(acked, firstSequence - 1), ceiling)
        let durable = try store.recordUplinkAcknowledgement(upTo: reach, at: now)
        let next = cursor.withLock { current -> Int64 in
            // Below what we hold as acknowledged: the server has less than it said before. Send
            // from its word (it drops duplicates), without taking the durable mark back.
            current = reach < min(durable, acknowledgedAtLaunch) ? max(reach, firstSequence - 1) : durable
            return current!
        }
        if expectProgress && !sent.isEmpty && durable == before && next == start {
            // Answered, but nothing stored: sending the same batch again at once would only spin.
            throw AttemptFailure(reason: "the server acknowledged none of events \(sent.first!.sequence)...\(lastSent) (its answer: \(acked))")
        }
        statusBox.withLock {
            $0.state = .idle
            $0.lastSuccessAt = now
            $0.consecutiveFailures = 0
            $0.backoffSeconds = nil
            // A later success makes an earlier error history, not the state of things.
            $0.lastError = nil
            $0.acknowledgedSequence = durable
        }
        return sent.isEmpty ? .polled : .delivered(acknowledged: durable, events: sent.count)
    }

    private func fail(_ reason: String, retryAfter: Double?, now: Date) -> Outcome {
        let failures = statusBox.withLock { status -> Int in
            status.consecutiveFailures += 1
            return status.consecutiveFailures
        }
        let delay = random.withLock { backoff.delay(afterFailures: failures - 1, retryAfter: retryAfter, random: &$0) }
        statusBox.withLock {
            $0.state = .backingOff
            $0.lastError = reason
            $0.lastErrorAt = now
            $0.backoffSeconds = delay
        }
        if failures == 1 || failures.isMultiple(of: 20) {
            logger.warning("uplink: sending failed; the events wait in the outbox", metadata: [
                "error": "\(reason)", "uplink.failures": "\(failures)", "uplink.retry_seconds": "\(Int(delay))",
            ])
        }
        return .failed(retryInSeconds: delay, reason: reason)
    }

    private func encode(_ batch: UplinkEventBatch, events: [RecordedEvent]) throws -> Data {
        var batch = batch
        batch.events = events.map { UplinkEventBatch.Event($0, door: $0.compartmentID.flatMap(doorLabel)) }
        return try UplinkEventBatch.encoder().encode(batch)
    }
}

