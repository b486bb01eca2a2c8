import Crypto
import Foundation
import LockerStore
import LockerUplink
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A central server on loopback, written from `openapi.yaml` alone: it stores each cabinet's
/// events idempotently on (epoch, sequence), answers the highest contiguous sequence per epoch,
/// checks every signature, and can be told to misbehave on any request.
final class ContractServer: Sendable {
    enum Fault: Sendable, Equatable, CaseIterable {
        case none
        /// The connection is closed as soon as it is accepted.
        case refuse
        /// The request is read, then the connection is closed: nothing stored.
        case dropAfterReceiving
        /// Stored, then the connection is closed before the answer.
        case dropAfterStoring
        case internalError
        case tooManyRequests
        /// Stored, then answered after the client's timeout.
        case slowAnswer
        /// Stored, but answered with an acknowledgement sent earlier (a duplicated or reordered answer).
        case staleAnswer
        /// Stored, but answered with the lowest acknowledgement it ever gave for the epoch.
        case lowAnswer
    }

    struct StoredEvent: Sendable, Equatable {
        var epoch: String
        var sequence: Int64
        var hash: String
        var previousHash: String
        var kind: String
        var payload: String
        var occurredAtSeconds: String
        var monotonicNanoseconds: String
        var compartmentId: Int?
        var parcelId: Int64?
    }

    private struct State {
        var stored: [StoredEvent] = []
        /// "epoch/sequence" → hash of every stored event.
        var hashes: [String: String] = [:]
        var acked: [String: Int64] = [:]
        var answers: [Data] = []
        var duplicatesReceived = 0
        var requests = 0
        var badSignatures = 0
        var conflicts = 0
        /// Events received in batches, duplicates included (what the cabinet spent on the link).
        var eventsReceived = 0
        var lowAnswers = 0
        var chainHeads: [Int64] = []
        var chainHeadEpochs: [String?] = []
        var arrivals = 0
        /// (version 3) Events received beyond a gap, within the window's reach, by epoch and sequence.
        var held: [String: [Int64: UplinkEventBatch.Event]] = [:]
        /// Requests being handled now, and the most at once.
        var concurrent = 0
        var mostConcurrent = 0
        /// Body bytes as they came over the wire, and how many bodies were gzip.
        var bytesReceived = 0
        var gzipBodies = 0
    }

    let publicKey: Curve25519.Signing.PublicKey
    let slowSeconds: Double
    /// 1: the first contract (answers no version, checks no hash); 2: announces itself and
    /// answers `422 bad_hash` for an event whose hash does not recompute; 3: announces a window
    /// and holds events beyond a gap within its reach.
    let contractVersion: Int
    /// (version 3) The batches a cabinet may have in flight, and the events held beyond the acknowledgement.
    let window: Int
    let windowEvents: Int64
    /// (version 3) Announces `contentEncodings: ["gzip"]` and takes gzip bodies.
    let acceptsGzip: Bool
    /// Every answer without a fault waits this long (a server's commit), so that requests the
    /// cabinet really sends at once are seen at once however loaded the machine is.
    let answerDelaySeconds: Double
    private let state = Mutex(State())
    private let chooseFault: Mutex<@Sendable (Int) -> Fault>
    /// Several threads let several requests be handled at once (version 3 windows).
    private let group: MultiThreadedEventLoopGroup
    private let channel: Mutex<(any Channel)?> = Mutex(nil)
    private let boundPort = Mutex(0)
    var port: Int { boundPort.withLock { $0 } }

    /// HTTPS (and, if its configuration says so, client certificates) when set.
    let tls: NIOSSLContext?

    init(publicKey: Curve25519.Signing.PublicKey, slowSeconds: Double = 0.6, tls: NIOSSLContext? = nil, contractVersion: Int = 1,
         window: Int = 4, windowEvents: Int64 = 4_000, threads: Int = 1, acceptsGzip: Bool = false, answerDelaySeconds: Double = 0,
         fault: @escaping @Sendable (Int) -> Fault = { _ in .none }) {
        self.publicKey = publicKey
        self.contractVersion = contractVersion
        self.window = window
        self.windowEvents = windowEvents
        self.acceptsGzip = acceptsGzip
        self.answerDelaySeconds = answerDelaySeconds
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        self.tls = tls
        self.slowSeconds = slowSeconds
        self.chooseFault = Mutex(fault)
    }

    func setFaults(_ fault: @escaping @Sendable (Int) -> Fault) {
        chooseFault.withLock { $0 = fault }
    }

    /// Starts listening (again, on the same port after `stop`, for outages).
    func start() async throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls = self.tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ContractHandler(server: self))
                }
            }
        let bound = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        boundPort.withLock { $0 = bound.localAddress?.port ?? 0 }
        channel.withLock { $0 = bound }
    }

    /// Stops listening: the next connection is refused by the kernel.
    func stop() async {
        let bound = channel.withLock { channel -> (any Channel)? in
            defer { channel = nil }
            return channel
        }
        try? await bound?.close()
    }

    func shutdown() async {
        await stop()
        try? await group.shutdownGracefully()
    }

    var stored: [StoredEvent] { state.withLock { $0.stored } }
    var duplicatesReceived: Int { state.withLock { $0.duplicatesReceived } }
    var requests: Int { state.withLock { $0.requests } }
    var badSignatures: Int { state.withLock { $0.badSignatures } }
    var conflicts: Int { state.withLock { $0.conflicts } }
    var eventsReceived: Int { state.withLock { $0.eventsReceived } }
    var lowAnswers: Int { state.withLock { $0.lowAnswers } }
    var mostConcurrentRequests: Int { state.withLock { $0.mostConcurrent } }
    var bytesReceived: Int { state.withLock { $0.bytesReceived } }
    var gzipBodies: Int { state.withLock { $0.gzipBodies } }

    func requestStarted() {
        state.withLock {
            $0.concurrent += 1
            $0.mostConcurrent = max($0.mostConcurrent, $0.concurrent)
        }
    }

    func requestEnded() { state.withLock { $0.concurrent -= 1 } }
    func acked(epoch: String) -> Int64 { state.withLock { $0.acked[epoch] ?? 0 } }
    var highestChainHead: Int64 { state.withLock { $0.chainHeads.max() ?? 0 } }
    var lastChainHeadEpoch: String? { state.withLock { $0.chainHeadEpochs.last ?? nil } }

    /// The server "loses" everything after `sequence` of `epoch` (restored from an old backup).
    func forget(after sequence: Int64, epoch: String) {
        state.withLock { state in
            state.stored.removeAll { $0.epoch == epoch && $0.sequence > sequence }
            state.hashes = Dictionary(uniqueKeysWithValues: state.stored.map { ("\($0.epoch)/\($0.sequence)", $0.hash) })
            state.acked[epoch] = min(state.acked[epoch] ?? 0, sequence)
            state.held[epoch] = nil
        }
    }

    /// The fault for the next request that arrives (every arrival counts, faulted or not, so a
    /// fault never repeats for ever).
    func faultForNextArrival() -> Fault {
        let number = state.withLock { state -> Int in
            state.arrivals += 1
            return state.arrivals
        }
        return chooseFault.withLock { $0 }(number)
    }

    /// The contract: verify, store idempotently, answer the per-epoch contiguous high-water mark.
    func handle(body wire: Data, signature: String?, encoding: String? = nil) -> (status: Int, body: Data, retryAfter: String?) {
        state.withLock {
            $0.bytesReceived += wire.count
            if encoding == "gzip" { $0.gzipBodies += 1 }
        }
        let body: Data
        switch encoding {
        case nil, "identity":
            body = wire
        case "gzip" where acceptsGzip && contractVersion >= 3:
            guard let plain = try? UplinkCompression.gunzip(wire) else {
                return (400, problem("malformed", "the gzip body does not decompress"), nil)
            }
            body = plain
        default:
            return (415, problem("unsupported_encoding", "Content-Encoding \(encoding ?? "") is not accepted"), nil)
        }
        guard let signature, verify(signature, body: body) else {
            state.withLock { $0.badSignatures += 1 }
            return (401, problem("bad_signature", "the signature does not verify"), nil)
        }
        guard let batch = try? UplinkEventBatch.decoder().decode(UplinkEventBatch.self, from: body) else {
            return (400, problem("malformed", "not an EventBatch"), nil)
        }
        return state.withLock { state in
            state.requests += 1
            state.eventsReceived += batch.events.count
            state.chainHeads.append(batch.chainHead.sequence)
            state.chainHeadEpochs.append(batch.chainHead.epoch)
            var previousInBatch: String?
            var acked = state.acked[batch.epoch] ?? (batch.epochFirstSequence - 1)
            for event in batch.events {
                guard event.epoch == batch.epoch else { return (400, problem("malformed", "mixed epochs"), nil) }
                let key = "\(event.epoch)/\(event.sequence)"
                if let stored = state.hashes[key] ?? state.held[event.epoch]?[event.sequence]?.hash {
                    state.duplicatesReceived += 1
                    if stored != event.hash {
                        state.conflicts += 1
                        return (409, problem("hash_conflict", "event \(event.sequence) differs from the stored one",
                                             sequence: event.sequence), nil)
                    }
                    previousInBatch = event.hash
                    continue
                }
                // Beyond a gap: version 3 holds it within the reach it announced; earlier versions
                // store nothing beyond a gap (and nothing after it in the batch).
                let beyondGap = event.sequence != acked + 1
                if beyondGap && (contractVersion < 3 || event.sequence > acked + windowEvents) { break }
                if contractVersion >= 2 && (Self.recomputedHash(event) != event.hash
                                            || (previousInBatch.map { $0 != event.previousHash } ?? false)) {
                    state.acked[batch.epoch] = acked
                    return (422, problem("bad_hash", "event \(event.sequence) does not recompute", ackedSequence: acked,
                                         sequence: event.sequence), nil)
                }
                previousInBatch = event.hash
                if beyondGap {
                    state.held[event.epoch, default: [:]][event.sequence] = event
                    continue
                }
                Self.store(event, in: &state)
                acked = event.sequence
                // A gap just filled: what was held after it counts now, in order.
                while let next = state.held[event.epoch]?.removeValue(forKey: acked + 1) {
                    Self.store(next, in: &state)
                    acked = next.sequence
                }
            }
            state.acked[batch.epoch] = acked
            let answer = (try? UplinkEventBatch.encoder().encode(UplinkAcknowledgement(
                epoch: batch.epoch, ackedSequence: acked, contractVersion: contractVersion >= 2 ? contractVersion : nil,
                window: contractVersion >= 3 ? window : nil, windowEvents: contractVersion >= 3 ? windowEvents : nil,
                contentEncodings: contractVersion >= 3 && acceptsGzip ? ["gzip"] : nil))) ?? Data()
            state.answers.append(answer)
            return (200, answer, nil)
        }
    }

    private static func store(_ event: UplinkEventBatch.Event, in state: inout State) {
        state.stored.append(StoredEvent(
            epoch: event.epoch, sequence: event.sequence, hash: event.hash, previousHash: event.previousHash,
            kind: event.kind, payload: event.payload, occurredAtSeconds: event.occurredAtSeconds,
            monotonicNanoseconds: event.monotonicNanoseconds, compartmentId: event.compartmentId, parcelId: event.parcelId))
        state.hashes["\(event.epoch)/\(event.sequence)"] = event.hash
    }

    /// An answer given before (for `staleAnswer`), of the same epoch when there is one.
    func staleAnswer(like fresh: Data) -> Data {
        state.withLock { state in
            let epoch = (try? UplinkEventBatch.decoder().decode(UplinkAcknowledgement.self, from: fresh))?.epoch
            let earlier = state.answers.dropLast().filter {
                (try? UplinkEventBatch.decoder().decode(UplinkAcknowledgement.self, from: $0))?.epoch == epoch
            }
            return earlier.randomElement() ?? fresh
        }
    }

    /// The lowest answer given for the fresh answer's epoch (for `lowAnswer`).
    func lowestAnswer(like fresh: Data) -> Data {
        state.withLock { state in
            let decoder = UplinkEventBatch.decoder()
            guard let answer = try? decoder.decode(UplinkAcknowledgement.self, from: fresh) else { return fresh }
            let lowest = state.answers.compactMap { try? decoder.decode(UplinkAcknowledgement.self, from: $0) }
                .filter { $0.epoch == answer.epoch }.map(\.ackedSequence).min() ?? answer.ackedSequence
            if lowest < answer.ackedSequence { state.lowAnswers += 1 }
            return (try? UplinkEventBatch.encoder().encode(UplinkAcknowledgement(epoch: answer.epoch, ackedSequence: lowest))) ?? fresh
        }
    }

    private func verify(_ header: String, body: Data) -> Bool {
        guard let range = header.range(of: #"signature=""#) else { return false }
        let encoded = header[range.upperBound...].prefix { $0 != "\"" }
        guard let signature = Data(base64Encoded: String(encoded)) else { return false }
        return publicKey.isValidSignature(signature, for: body)
    }

    private func problem(_ code: String, _ message: String, ackedSequence: Int64? = nil, sequence: Int64? = nil) -> Data {
        (try? JSONEncoder().encode(UplinkProblem(code: code, message: message, ackedSequence: ackedSequence, sequence: sequence))) ?? Data()
    }

    /// The event's hash as the contract defines it, from the uploaded text fields.
    static func recomputedHash(_ event: UplinkEventBatch.Event) -> String {
        sha256Hex([
            event.previousHash, String(event.sequence), event.epoch, event.kind, event.occurredAtSeconds, event.monotonicNanoseconds,
            event.compartmentId.map(String.init) ?? "", event.parcelId.map(String.init) ?? "", event.payload,
        ].joined(separator: "\n"))
    }
}

/// One HTTP exchange on the contract server, with the fault chosen for it.
private final class ContractHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: ContractServer
    private var signature: String?
    private var encoding: String?
    private var body = Data()
    private var fault: ContractServer.Fault = .none

    init(server: ContractServer) {
        self.server = server
    }

    func channelActive(context: ChannelHandlerContext) {
        if server.faultForNextArrival() == .refuse {
            context.close(promise: nil)
            return
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            server.requestStarted()
            fault = server.faultForNextArrival()
            signature = head.headers.first(name: "Lockerd-Signature")
            encoding = head.headers.first(name: "Content-Encoding")
            body = Data()
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            respond(context: context)
        }
    }

    private func respond(context: ChannelHandlerContext) {
        var answeredLater = false
        defer { if !answeredLater { server.requestEnded() } }
        switch fault {
        case .dropAfterReceiving, .refuse:
            context.close(promise: nil)
            return
        case .internalError:
            write(status: 500, body: Data(#"{"code":"internal","message":"injected"}"#.utf8), retryAfter: nil, context: context)
            return
        case .tooManyRequests:
            write(status: 429, body: Data(), retryAfter: "2", context: context)
            return
        default:
            break
        }
        let (status, answer, retryAfter) = server.handle(body: body, signature: signature, encoding: encoding)
        switch fault {
        case .dropAfterStoring:
            context.close(promise: nil)
        case .slowAnswer:
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(Int64(server.slowSeconds * 1000))) {
                let (handler, context) = loopBound.value
                handler.write(status: status, body: answer, retryAfter: retryAfter, context: context)
            }
        case .staleAnswer where status == 200:
            write(status: status, body: server.staleAnswer(like: answer), retryAfter: retryAfter, context: context)
        case .lowAnswer where status == 200:
            write(status: status, body: server.lowestAnswer(like: answer), retryAfter: retryAfter, context: context)
        default:
            guard server.answerDelaySeconds > 0 else {
                write(status: status, body: answer, retryAfter: retryAfter, context: context)
                return
            }
            // Counted as in progress until answered, not when this returns.
            answeredLater = true
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(Int64(server.answerDelaySeconds * 1000))) {
                let (handler, context) = loopBound.value
                handler.server.requestEnded()
                handler.write(status: status, body: answer, retryAfter: retryAfter, context: context)
            }
        }
    }

    private func write(status: Int, body: Data, retryAfter: String?, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.count))
        if let retryAfter { headers.add(name: "Retry-After", value: retryAfter) }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers))),
                      promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
