import Dispatch
import LockerMaintenanceProtocol
import LockerStore
import Logging
import NIOCore
import Synchronization

/// The `events.follow` subscriptions. Each follower is sent every event after the sequence it has,
/// read back from the store, so a follower never misses or repeats one whatever the timing of its
/// subscription against new commits. All sending happens on one serial queue (events go out in
/// order); the cabinet loop only calls `publish`, which returns at once.
///
/// A follower that does not read is not waited for: once its connection's buffered output passes
/// the high-water mark it is told it is lagging and closed, and can follow again from the last
/// sequence it printed.
final class MaintenanceEventFeed: Sendable {
    private final class Follower: Sendable {
        let channel: any Channel
        let lastSent: Mutex<Int64>
        /// The protocol version the follower asked in: its lines are written in it.
        let version: Int

        init(channel: any Channel, after: Int64, version: Int) {
            self.channel = channel
            self.lastSent = Mutex(after)
            self.version = version
        }
    }

    private let store: CabinetStore
    private let doorLabel: @Sendable (Int) -> String?
    private let logger: Logger
    private let queue = DispatchQueue(label: "lockerd.maintenance.events")
    private let followers = Mutex<[ObjectIdentifier: Follower]>([:])

    init(store: CabinetStore, doorLabel: @escaping @Sendable (Int) -> String?, logger: Logger) {
        self.store = store
        self.doorLabel = doorLabel
        self.logger = logger
    }

    /// New events were committed.
    func publish() {
        guard followers.withLock({ !$0.isEmpty }) else { return }
        queue.async { [self] in
            for follower in followers.withLock({ Array($0.values) }) { pump(follower) }
        }
    }

    /// Starts a follower at `after` (nil: only events from now on).
    func follow(after: Int64?, version: Int = MaintenanceProtocol.version, channel: any Channel) {
        let start = after ?? ((try? store.lastEventSequence()) ?? 0)
        let follower = Follower(channel: channel, after: max(0, start), version: version)
        let key = ObjectIdentifier(follower)
        followers.withLock { $0[key] = follower }
        channel.closeFuture.whenComplete { [self] _ in
            _ = followers.withLock { $0.removeValue(forKey: key) }
        }
        queue.async { [self] in pump(follower) }
    }

    func report(_ event: RecordedEvent) -> EventReport {
        EventReport(sequence: event.sequence, epoch: event.epoch, kind: event.kind, occurredAt: event.occurredAt,
                    door: event.compartmentID.flatMap(doorLabel), parcelID: event.parcelID, payload: event.payload,
                    previousHash: event.previousHash, hash: event.hash)
    }

    /// Sends the follower everything after what it has, in pages, while its connection keeps up.
    private func pump(_ follower: Follower) {
        let channel = follower.channel
        while channel.isActive {
            let after = follower.lastSent.withLock { $0 }
            guard let page = try? store.events(after: after, limit: 200), !page.isEmpty else { return }
            for event in page {
                guard channel.isWritable else {
                    dropLagging(follower)
                    return
                }
                var line = MaintenanceResponse(id: nil)
                line.v = follower.version
                line.event = report(event)
                write(line, to: channel)
                follower.lastSent.withLock { $0 = event.sequence }
            }
        }
    }

    /// Ends a follower whose connection is full: no more events for it; the reason goes out
    /// behind what is already queued, and the connection closes once that is sent (or after 10 s
    /// if the client still reads nothing).
    private func dropLagging(_ follower: Follower) {
        let channel = follower.channel
        let resume = follower.lastSent.withLock { $0 }
        followers.withLock { $0[ObjectIdentifier(follower)] = nil }
        logger.notice("maintenance event follower is not reading; closing it", metadata: ["event.sequence": "\(resume)"])
        let failure = MaintenanceFailure(.lagging, "events were not read fast enough; follow again after event \(resume)")
        var answer = MaintenanceResponse.failure(failure, id: nil)
        answer.v = follower.version
        write(answer, to: channel).whenComplete { _ in channel.close(promise: nil) }
        channel.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
    }

    @discardableResult
    private func write(_ response: MaintenanceResponse, to channel: any Channel) -> EventLoopFuture<Void> {
        guard let text = try? MaintenanceProtocol.line(response, version: response.v) else { return channel.eventLoop.makeSucceededVoidFuture() }
        var buffer = channel.allocator.buffer(capacity: text.utf8.count + 1)
        buffer.writeString(text)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return channel.writeAndFlush(buffer)
    }
}
