import CMosquitto
public import Foundation
import Synchronization

/// One MQTT v5 connection through libmosquitto (no MQTT written by hand), with its network loop
/// on a thread of its own and reconnection with full jitter (libmosquitto's own reconnect delay
/// has none, and a fleet reconnecting after a broker restart must spread out).
///
/// What arrives is handed to `onMessage` on the loop thread; `onConnected` runs there after each
/// (re)connection (subscribe there: a persistent session keeps subscriptions, a new one does not).
public final class MQTTClient: @unchecked Sendable {
    // @unchecked: the libmosquitto handle is used from the loop thread and from publishers at
    // once, which libmosquitto allows once `mosquitto_threaded_set` is on; every Swift field that
    // changes is behind `state`.

    public struct Settings: Sendable {
        public var clientID: String
        public var host: String
        public var port: Int
        public var keepAliveSeconds: Int = 60
        /// Clean start false and this session expiry: the broker keeps subscriptions and queued
        /// QoS 1 messages while the client is away.
        public var sessionExpirySeconds: Int = 86_400
        /// The username (without TLS client certificates, brokers name clients by it in their ACLs).
        public var username: String?
        public var caFile: String?
        public var certificateFile: String?
        public var keyFile: String?
        /// Published by the broker (retained) when the connection dies without a goodbye, with
        /// these user properties.
        public var will: (topic: String, payload: Data)?
        public var willUserProperties: [(String, String)] = []
        /// Reconnection waits a random time up to min(cap, base * 2^attempts) seconds.
        public var reconnectBaseSeconds: Double = 0.5
        public var reconnectCapSeconds: Double = 30

        public init(clientID: String, host: String, port: Int) {
            self.clientID = clientID
            self.host = host
            self.port = port
        }
    }

    /// A message as it arrived, with the v5 properties the contract uses.
    public struct Message: Sendable {
        public var topic: String
        public var payload: Data
        public var correlationData: Data?
        public var userProperties: [(String, String)]

        public func property(_ name: String) -> String? {
            userProperties.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Why the connection ended, as the broker or libmosquitto said.
    public enum Disconnect: Sendable, Equatable {
        /// Another client connected with the same client id (MQTT v5 reason 0x8E): a cloned card.
        case sessionTakenOver
        case other(code: Int32)
    }

    private struct State {
        var connected = false
        var stopped = false
        var attempts = 0
        var lastDisconnect: Disconnect?
        /// Until when every reconnection waits the longest bound: another client with this id
        /// was seen (the status topic), so losing the connection is likely that client again.
        var cloneSuspectedUntil: Date?
        /// Counts lost connections: a publish whose connection was lost before its waiter was
        /// registered must not wait for a PUBACK (its waiters were already told).
        var connection = 0
        var pendingPublishes: [Int32: CheckedContinuation<Void, any Error>] = [:]
        /// PUBACKs that came before their publisher registered (by message id, with the reason).
        var earlyAcknowledgements: [Int32: Int32] = [:]
    }

    public let settings: Settings
    // Set these before `start`: the loop thread reads them without a lock.
    public var onMessage: (@Sendable (Message) -> Void)?
    public var onConnected: (@Sendable (MQTTClient) -> Void)?
    public var onDisconnected: (@Sendable (Disconnect) -> Void)?
    private let handle: OpaquePointer
    /// An eventfd: a publish or a stop from another thread wakes the loop's poll() through it.
    private let wake: Int32
    private let state = Mutex(State())
    private var thread: Thread?

    private static let libraryReady: Bool = {
        mosquitto_lib_init()
        return true
    }()

    public init(_ settings: Settings) throws {
        if let failure = lockerd_mosquitto_open() {
            throw Failure(description: "the MQTT uplink needs libmosquitto.so.1 (Debian package libmosquitto1), "
                + "which could not be opened: \(String(cString: failure))")
        }
        _ = Self.libraryReady
        self.settings = settings
        guard let handle = mosquitto_new(settings.clientID, false, nil) else {
            throw Failure(description: "libmosquitto could not make a client for \(settings.clientID)")
        }
        self.handle = handle
        wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wake >= 0 else {
            mosquitto_destroy(handle)
            throw Failure(description: "no eventfd for the client \(settings.clientID): errno \(errno)")
        }
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_threaded_set(handle, true)
        mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, Int32(MQTT_PROTOCOL_V5))
        if let username = settings.username { mosquitto_username_pw_set(handle, username, nil) }
        if settings.caFile != nil || settings.certificateFile != nil {
            let result = mosquitto_tls_set(handle, settings.caFile, nil, settings.certificateFile, settings.keyFile, nil)
            guard result == MOSQ_ERR_SUCCESS.rawValue else {
                mosquitto_destroy(handle)
                throw Failure(description: "TLS files refused (CA \(settings.caFile ?? "-"), certificate \(settings.certificateFile ?? "-")): "
                              + Self.text(result))
            }
        }
        if let will = settings.will {
            // libmosquitto owns the list once the will is set, and frees it; ours to free on error.
            var properties: OpaquePointer?
            for (name, value) in settings.willUserProperties {
                mosquitto_property_add_string_pair(&properties, Int32(MQTT_PROP_USER_PROPERTY.rawValue), name, value)
            }
            let result = will.payload.withUnsafeBytes { bytes in
                mosquitto_will_set_v5(handle, will.topic, Int32(bytes.count), bytes.baseAddress, 1, true, properties)
            }
            guard result == MOSQ_ERR_SUCCESS.rawValue else {
                mosquitto_property_free_all(&properties)
                mosquitto_destroy(handle)
                throw Failure(description: "the last will could not be set: \(Self.text(result))")
            }
        }
        mosquitto_connect_v5_callback_set(handle) { _, context, code, _, _ in
            MQTTClient.from(context)?.connected(code: code)
        }
        mosquitto_disconnect_v5_callback_set(handle) { _, context, code, _ in
            MQTTClient.from(context)?.disconnected(code: code)
        }
        mosquitto_message_v5_callback_set(handle) { _, context, message, properties in
            guard let client = MQTTClient.from(context), let message else { return }
            client.received(message.pointee, properties: properties)
        }
        mosquitto_publish_v5_callback_set(handle) { _, context, mid, code, _ in
            MQTTClient.from(context)?.acknowledged(mid: mid, code: code)
        }
    }

    deinit {
        mosquitto_destroy(handle)
        close(wake)
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> MQTTClient? {
        context.map { Unmanaged<MQTTClient>.fromOpaque($0).takeUnretainedValue() }
    }

    static func text(_ code: Int32) -> String { String(cString: mosquitto_strerror(code)) }

    public var isConnected: Bool { state.withLock { $0.connected } }

    /// Another client uses this client id (its owner saw it on the broker, e.g. its status topic,
    /// where the broker did not say "session taken over"): for an hour, every reconnection waits
    /// the longest bound, so the two take turns slowly rather than flap.
    public func suspectAnotherClientWithThisID(now: Date = Date()) {
        state.withLock { $0.cloneSuspectedUntil = now.addingTimeInterval(3_600) }
    }
    public var lastDisconnect: Disconnect? { state.withLock { $0.lastDisconnect } }

    /// Starts the loop thread: connects, and reconnects after every loss until `stop`.
    public func start() {
        let thread = Thread { [self] in self.loop() }
        thread.name = "mqtt \(settings.clientID)"
        thread.stackSize = 256 * 1024
        self.thread = thread
        thread.start()
    }

    /// Disconnects (no last will: a goodbye) and ends the loop thread.
    public func stop() {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.stopped = true
            defer { state.pendingPublishes = [:] }
            return Array(state.pendingPublishes.values)
        }
        for continuation in waiting { continuation.resume(throwing: Failure(description: "the client stopped")) }
        mosquitto_disconnect_v5(handle, Int32(MQTT_RC_NORMAL_DISCONNECTION.rawValue), nil)
        wakeLoop()
        while let thread, !thread.isFinished { usleep(2_000) }
    }

    private func loop() {
        // `mosquitto_connect` once, `mosquitto_reconnect` after every loss; between a connect and
        // its CONNACK the loop just runs (connecting again there would cut the handshake short).
        var connectedOnce = false
        var needsConnection = true
        while !state.withLock({ $0.stopped }) {
            if needsConnection {
                let result = connectedOnce ? mosquitto_reconnect(handle) : connect()
                guard result == MOSQ_ERR_SUCCESS.rawValue else {
                    waitBeforeReconnecting()
                    continue
                }
                connectedOnce = true
                needsConnection = false
            }
            let result = serviceSocketOnce()
            if result != MOSQ_ERR_SUCCESS.rawValue, !state.withLock({ $0.stopped }) {
                state.withLock { $0.connected = false }
                needsConnection = true
                waitBeforeReconnecting()
            }
        }
    }

    /// One turn of the network loop, waiting with poll() rather than `mosquitto_loop`'s select():
    /// select() cannot watch a descriptor numbered 1,024 or above, which a process holding many
    /// clients (the fleet test) or many files reaches. Waits for the socket or for `wake` (a publish
    /// from another thread), at most a quarter of the keep-alive: no timer fires more often than
    /// the keep-alive needs (the ping goes out within its interval, the broker allows one and a half).
    private func serviceSocketOnce() -> Int32 {
        let socket = mosquitto_socket(handle)
        guard socket >= 0 else { return Int32(MOSQ_ERR_NO_CONN.rawValue) }
        let wantsWrite = mosquitto_want_write(handle)
        var descriptors = [
            pollfd(fd: socket, events: Int16(POLLIN) | (wantsWrite ? Int16(POLLOUT) : 0), revents: 0),
            pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
        ]
        let timeout = Int32(min(15, max(1, settings.keepAliveSeconds / 4)) * 1_000)
        let ready = poll(&descriptors, 2, timeout)
        if ready > 0, descriptors[1].revents != 0 {
            var count: UInt64 = 0
            _ = read(wake, &count, 8)
        }
        var result = Int32(MOSQ_ERR_SUCCESS.rawValue)
        if ready > 0, descriptors[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            result = mosquitto_loop_read(handle, 1)
        }
        // Written whenever something is queued (a publish, a subscription made in a callback just
        // now, a ping): libmosquitto stops at EAGAIN and the next turn waits for POLLOUT.
        if result == MOSQ_ERR_SUCCESS.rawValue, mosquitto_socket(handle) >= 0, mosquitto_want_write(handle) {
            result = mosquitto_loop_write(handle, 1)
        }
        if result == MOSQ_ERR_SUCCESS.rawValue {
            result = mosquitto_loop_misc(handle)
        }
        return result
    }

    /// Wakes the loop for something queued from another thread.
    private func wakeLoop() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    private func connect() -> Int32 {
        var properties: OpaquePointer?
        mosquitto_property_add_int32(&properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), UInt32(settings.sessionExpirySeconds))
        defer { mosquitto_property_free_all(&properties) }
        return mosquitto_connect_bind_v5(handle, settings.host, Int32(settings.port), Int32(settings.keepAliveSeconds), nil, properties)
    }

    /// Full jitter over an exponential bound; a session taken over by another client with our id
    /// waits the cap (two clients taking turns would otherwise flap for ever).
    private func waitBeforeReconnecting() {
        let (attempts, takenOver) = state.withLock { state -> (Int, Bool) in
            state.attempts += 1
            return (state.attempts, state.lastDisconnect == .sessionTakenOver || (state.cloneSuspectedUntil.map { $0 > Date() } ?? false))
        }
        let bound = takenOver ? settings.reconnectCapSeconds
            : min(settings.reconnectCapSeconds, settings.reconnectBaseSeconds * pow(2, Double(min(attempts, 20))))
        let wait = takenOver ? bound * (0.5 + Double.random(in: 0...0.5)) : Double.random(in: 0...bound)
        let deadline = Date().addingTimeInterval(wait)
        while Date() < deadline, !state.withLock({ $0.stopped }) { usleep(100_000) }
    }

    // MARK: - Callbacks (on the loop thread)

    private func connected(code: Int32) {
        guard code == 0 else {
            state.withLock { $0.lastDisconnect = .other(code: code) }
            return
        }
        state.withLock {
            $0.connected = true
            $0.attempts = 0
        }
        onConnected?(self)
    }

    private func disconnected(code: Int32) {
        let reason: Disconnect = code == Int32(MQTT_RC_SESSION_TAKEN_OVER.rawValue) ? .sessionTakenOver : .other(code: code)
        let waiting = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.connected = false
            state.connection += 1
            state.lastDisconnect = reason
            state.earlyAcknowledgements = [:]
            defer { state.pendingPublishes = [:] }
            return Array(state.pendingPublishes.values)
        }
        for continuation in waiting { continuation.resume(throwing: Failure(description: "the connection to the broker was lost")) }
        onDisconnected?(reason)
    }

    private func acknowledged(mid: Int32, code: Int32) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard let waiter = state.pendingPublishes.removeValue(forKey: mid) else {
                state.earlyAcknowledgements[mid] = code
                return nil
            }
            return waiter
        }
        if let waiter { Self.settle(waiter, code: code) }
    }

    private func received(_ message: mosquitto_message, properties: OpaquePointer?) {
        let topic = message.topic.map { String(cString: $0) } ?? ""
        let payload = message.payload.map { Data(bytes: $0, count: Int(message.payloadlen)) } ?? Data()
        var correlation: Data?
        var value: UnsafeMutableRawPointer?
        var length: UInt16 = 0
        if mosquitto_property_read_binary(properties, Int32(MQTT_PROP_CORRELATION_DATA.rawValue), &value, &length, false) != nil, let value {
            correlation = Data(bytes: value, count: Int(length))
            free(value)
        }
        var pairs: [(String, String)] = []
        var name: UnsafeMutablePointer<CChar>?
        var text: UnsafeMutablePointer<CChar>?
        var cursor = mosquitto_property_read_string_pair(properties, Int32(MQTT_PROP_USER_PROPERTY.rawValue), &name, &text, false)
        while cursor != nil {
            if let name, let text { pairs.append((String(cString: name), String(cString: text))) }
            free(name)
            free(text)
            name = nil
            text = nil
            cursor = mosquitto_property_read_string_pair(cursor, Int32(MQTT_PROP_USER_PROPERTY.rawValue), &name, &text, true)
        }
        onMessage?(Message(topic: topic, payload: payload, correlationData: correlation, userProperties: pairs))
    }

    // MARK: - Sending

    /// Subscribes at QoS 1 (from `onConnected`).
    public func subscribe(_ filter: String) throws {
        let result = mosquitto_subscribe_v5(handle, nil, filter, 1, 0, nil)
        guard result == MOSQ_ERR_SUCCESS.rawValue else { throw Failure(description: "subscribe \(filter): \(Self.text(result))") }
        wakeLoop()
    }

    /// Publishes and returns once the broker acknowledged it (QoS 1, PUBACK); throws when not
    /// connected, refused, the connection dropped first, or no PUBACK came within
    /// `timeoutSeconds` (a broker that neither answers nor drops the connection must not hold
    /// the caller for ever). `retain` for status topics.
    public func publish(_ topic: String, payload: Data, qos: Int32 = 1, retain: Bool = false, correlationData: Data? = nil,
                        userProperties: [(String, String)] = [], timeoutSeconds: Double = 30) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await self.publishAwaitingAcknowledgement(topic, payload: payload, qos: qos, retain: retain,
                                                              correlationData: correlationData, userProperties: userProperties)
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(max(0.001, timeoutSeconds) * 1_000)))
                throw Failure(description: "no acknowledgement from the broker for \(topic) within \(timeoutSeconds) s")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func publishAwaitingAcknowledgement(_ topic: String, payload: Data, qos: Int32, retain: Bool, correlationData: Data?,
                                                userProperties: [(String, String)]) async throws {
        guard isConnected else { throw Failure(description: "not connected to the broker \(settings.host):\(settings.port)") }
        var properties: OpaquePointer?
        defer { mosquitto_property_free_all(&properties) }
        if let correlationData {
            _ = correlationData.withUnsafeBytes { bytes in
                mosquitto_property_add_binary(&properties, Int32(MQTT_PROP_CORRELATION_DATA.rawValue), bytes.baseAddress, UInt16(bytes.count))
            }
        }
        for (name, value) in userProperties {
            mosquitto_property_add_string_pair(&properties, Int32(MQTT_PROP_USER_PROPERTY.rawValue), name, value)
        }
        let props = properties
        // Cancellable (a caller's timeout): the waiter is taken out and told, a late PUBACK dropped.
        let sent = Mutex<Int32?>(nil)
        try await withTaskCancellationHandler {
            try await awaitAcknowledgement(topic, payload: payload, qos: qos, retain: retain, properties: props, sent: sent)
        } onCancel: {
            guard let mid = sent.withLock({ $0 }) else { return }
            let waiter = state.withLock { $0.pendingPublishes.removeValue(forKey: mid) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private func awaitAcknowledgement(_ topic: String, payload: Data, qos: Int32, retain: Bool, properties props: OpaquePointer?,
                                      sent: borrowing Mutex<Int32?>) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            var mid: Int32 = 0
            let connection = state.withLock { $0.connection }
            // Not under `state`'s lock: the loop thread may be in a callback waiting for it.
            let result = payload.withUnsafeBytes { bytes in
                mosquitto_publish_v5(handle, &mid, topic, Int32(bytes.count), bytes.baseAddress, qos, retain, props)
            }
            guard result == MOSQ_ERR_SUCCESS.rawValue else {
                continuation.resume(throwing: Failure(description: "publish to \(topic): \(Self.text(result))"))
                return
            }
            wakeLoop()
            guard qos > 0 else {
                continuation.resume()
                return
            }
            sent.withLock { $0 = mid }
            // The PUBACK may have come already.
            enum Registration { case waiting, acknowledged(Int32), lost, cancelled }
            let registration = state.withLock { state -> Registration in
                if let code = state.earlyAcknowledgements.removeValue(forKey: mid) { return .acknowledged(code) }
                // The connection dropped between the publish and now: the disconnection already
                // told every waiter, so this one would wait for ever.
                guard state.connection == connection, state.connected, !state.stopped else { return .lost }
                // Cancelled before the waiter was there for the cancellation handler to find.
                guard !Task.isCancelled else { return .cancelled }
                state.pendingPublishes[mid] = continuation
                return .waiting
            }
            switch registration {
            case .waiting: break
            case .acknowledged(let code): Self.settle(continuation, code: code)
            case .lost: continuation.resume(throwing: Failure(description: "the connection to the broker was lost"))
            case .cancelled: continuation.resume(throwing: CancellationError())
            }
        }
    }

    private static func settle(_ continuation: CheckedContinuation<Void, any Error>, code: Int32) {
        if code == 0 || code == Int32(MQTT_RC_NO_MATCHING_SUBSCRIBERS.rawValue) {
            continuation.resume()
        } else {
            continuation.resume(throwing: Failure(description: "the broker refused the message (reason \(code))"))
        }
    }
}
