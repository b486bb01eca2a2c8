import Foundation
import LockerCore
import NIOCore
import NIOHTTP1
import Synchronization

/// The kiosk pages' feed (server-sent events): each page that connects gets the screen as it is,
/// then every change. The cabinet loop publishes after every input and tick; only changes go out.
final class KioskFeed: Sendable {
    /// A kiosk has one page; a few more (a reload racing the old connection's close) are fine,
    /// many are a local user holding connections open, refused.
    static let maximumSubscribers = 8

    private struct State {
        var latest: KioskScreen?
        var subscribers: [ObjectIdentifier: any Channel] = [:]
    }

    private let state = Mutex(State())

    func publish(_ screen: KioskScreen) {
        state.withLock { state in
            guard state.latest != screen else { return }
            state.latest = screen
            guard let event = Self.event(screen) else { return }
            // Written under the lock, so that a page subscribing meanwhile cannot get an older
            // screen after a newer one.
            for channel in state.subscribers.values { Self.send(event, to: channel) }
        }
    }

    /// Adds a page's connection (its response head already written); false when there are too many.
    func subscribe(_ channel: any Channel) -> Bool {
        state.withLock { state in
            guard state.subscribers.count < Self.maximumSubscribers else { return false }
            state.subscribers[ObjectIdentifier(channel)] = channel
            // A page whose connection drops (lockerd restarts) tries again after a second.
            Self.send("retry: 1000\n\n", to: channel)
            if let latest = state.latest, let event = Self.event(latest) { Self.send(event, to: channel) }
            return true
        }
    }

    func unsubscribe(_ channel: any Channel) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// One server-sent event: JSON has no raw newlines, so it is a single `data:` line.
    static func event(_ screen: KioskScreen) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let json = try? encoder.encode(screen) else { return nil }
        return "data: " + String(decoding: json, as: UTF8.self) + "\n\n"
    }

    private static func send(_ text: String, to channel: any Channel) {
        let buffer = channel.allocator.buffer(string: text)
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
    }
}
