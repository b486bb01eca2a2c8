import Dispatch
import Foundation
public import LockerHAL
import LockerSystem
import Synchronization

/// A DS18B20 1-Wire probe read through the kernel's w1_therm driver (sysfs).
///
/// Each read of `<base>/<device id>/w1_slave` makes the kernel start a conversion and wait for it,
/// about 750 ms at 12 bits, longer when several probes share the bus (the kernel reads one at a
/// time). That blocking read runs on a thread of its own, never on one of the few threads Swift
/// concurrency shares.
///
/// A read that does not return within `readTimeout` is reported as missing, so a wedged bus
/// cannot stall a cell's controller; its thread is left to finish, and until it does, further
/// reads of this probe are reported as missing at once instead of piling up more blocked threads.
public struct DS18B20Probe: TemperatureProbe {
    public static let defaultBaseDirectory = "/sys/bus/w1/devices"
    /// The 1-Wire family code of the DS18B20: its device ids start with it.
    static let familyPrefix = "28-"
    /// A sysfs attribute is at most a page; anything longer is not a w1_slave file.
    static let maximumFileLength = 4096

    public let name: String
    /// As the kernel names it, e.g. "28-0316a2791aff" (family code, then the serial number).
    public let deviceID: String
    public let baseDirectory: String
    public let readTimeout: Duration
    private let inFlight = InFlightRead()

    public init(name: String, deviceID: String, baseDirectory: String = Self.defaultBaseDirectory,
                readTimeout: Duration = .seconds(10)) {
        self.name = name
        self.deviceID = deviceID
        self.baseDirectory = baseDirectory
        self.readTimeout = readTimeout
    }

    public var w1SlavePath: String { "\(baseDirectory)/\(deviceID)/w1_slave" }

    public func read() async -> ProbeSample {
        let path = w1SlavePath
        guard inFlight.begin() else {
            return .missing(detail: "\(path): the previous read has not returned yet (1-Wire bus wedged?)")
        }
        let inFlight = self.inFlight
        let timeout = readTimeout
        return await withCheckedContinuation { continuation in
            let answer = SingleAnswer(continuation)
            let thread = Thread {
                let sample = Self.readSample(at: path)
                inFlight.end()
                answer.give(sample)
            }
            thread.name = "w1 \(deviceID)"
            thread.start()
            DispatchQueue.global().asyncAfter(deadline: .now() + Self.dispatchInterval(timeout)) {
                answer.give(.missing(detail: "\(path): no answer within \(timeout)"))
            }
        }
    }

    /// Interprets the two lines of a w1_slave file, for example
    /// `72 01 4b 46 7f ff 0e 10 57 : crc=57 YES` and `72 01 4b 46 7f ff 0e 10 57 t=23125`
    /// (the scratchpad bytes, the kernel's CRC verdict, then the temperature in milli-°C).
    public static func parse(w1Slave text: String) -> ProbeSample {
        let lines = text.split(whereSeparator: \.isNewline).map(trimmed).filter { !$0.isEmpty }
        guard !lines.isEmpty else { return .missing(detail: "w1_slave is empty") }
        guard lines.count == 2 else {
            return .missing(detail: "w1_slave has \(lines.count) line\(lines.count == 1 ? "" : "s"), expected 2: \(excerpt(text))")
        }
        let verdictLine = lines[0].split(separator: " ")
        guard verdictLine.contains(where: { $0.hasPrefix("crc=") }), let verdict = verdictLine.last else {
            return .missing(detail: "first line has no crc= verdict: \(excerpt(lines[0]))")
        }
        switch verdict {
        case "YES": break
        case "NO": return .crcFailure
        default: return .missing(detail: "first line ends in \(excerpt(String(verdict))), expected YES or NO")
        }
        // A data line held low reads as all zeros, and the CRC of zeros is zero, so the kernel
        // says YES. A live DS18B20 never sends this (its byte 5 is always FF): without this
        // check a shorted probe in a chilled cell would read as a believable 0 °C.
        let scratchpad = verdictLine.prefix { $0 != ":" }
        if scratchpad.count == 9, scratchpad.allSatisfy({ $0 == "00" }) {
            return .missing(detail: "scratchpad reads all zeros (data line shorted or held low)")
        }
        guard let reading = lines[1].split(separator: " ").last(where: { $0.hasPrefix("t=") }) else {
            return .missing(detail: "second line has no t= value: \(excerpt(lines[1]))")
        }
        guard let milliCelsius = Int(reading.dropFirst(2)) else {
            return .missing(detail: "t= value \(excerpt(String(reading.dropFirst(2)))) is not a whole number of milli-°C")
        }
        return .celsius(Double(milliCelsius) / 1000)
    }

    /// The DS18B20 device ids present under `baseDirectory`, sorted; none when it does not exist
    /// (1-Wire not enabled, or no bus master).
    public static func discover(baseDirectory: String = Self.defaultBaseDirectory) -> [String] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: baseDirectory) else { return [] }
        return entries.filter { $0.hasPrefix(familyPrefix) }.sorted()
    }

    // MARK: - Reading

    /// Blocks for the conversion: call only from a thread of its own.
    private static func readSample(at path: String) -> ProbeSample {
        let text: String
        do {
            text = try readFile(at: path)
        } catch let error as HardwareError {
            if case .deviceMissing = error {
                return .missing(detail: "\(error) (probe not on the 1-Wire bus, or 1-Wire not enabled)")
            }
            return .missing(detail: "\(error)")
        } catch {
            return .missing(detail: "\(path): \(error)")
        }
        let sample = parse(w1Slave: text)
        if case .missing(let detail) = sample {
            return .missing(detail: "\(path): \(detail)")
        }
        return sample
    }

    private static func readFile(at path: String) throws -> String {
        let file = try hardwareCall { () throws(SystemCallError) in try FileDescriptor.open(path, .readOnly) }
        defer { file.close() }
        var contents: [UInt8] = []
        while contents.count < maximumFileLength {
            let result = try hardwareCall { () throws(SystemCallError) in try file.read(maximum: 512) }
            guard case .bytes(let chunk) = result else { break }
            contents += chunk
        }
        return String(decoding: contents.prefix(maximumFileLength), as: UTF8.self)
    }

    // MARK: - Helpers

    private static func trimmed(_ line: Substring) -> String {
        String(line.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    /// Content quoted for a log line, cut short: a wrong path can point at anything.
    private static func excerpt(_ text: String) -> String {
        let flat = String(text.map { $0.isNewline ? " " : $0 })
        return flat.count > 80 ? "\"\(flat.prefix(80))…\"" : "\"\(flat)\""
    }

    private static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}

/// Whether a read thread of a probe is still running (shared by copies of the probe, which are
/// the same device).
private final class InFlightRead: Sendable {
    private let running = Mutex(false)

    /// False when a read is already running.
    func begin() -> Bool {
        running.withLock { running in
            if running { return false }
            running = true
            return true
        }
    }

    func end() { running.withLock { $0 = false } }
}

/// Resumes a continuation with the first sample given (the read or the timeout, whichever comes
/// first) and ignores the other.
private final class SingleAnswer: Sendable {
    private let continuation: Mutex<CheckedContinuation<ProbeSample, Never>?>

    init(_ continuation: CheckedContinuation<ProbeSample, Never>) {
        self.continuation = Mutex(continuation)
    }

    func give(_ sample: ProbeSample) {
        continuation.withLock { $0.take() }?.resume(returning: sample)
    }
}
