public import LockerHAL
import Synchronization

/// A `TemperatureProbe` for tests: returns queued samples in order, then `whenEmpty` for every
/// further read, and counts reads. It lives in the library so that tests of any component (a
/// cell's controller, the fault detector) can script a probe without hardware or timing.
public final class ScriptedTemperatureProbe: TemperatureProbe {
    private struct Script {
        var queued: [ProbeSample]
        var whenEmpty: ProbeSample
        var readCount = 0
    }

    public let name: String
    private let script: Mutex<Script>

    /// With no `whenEmpty`, a read past the script is a conspicuous `.missing`, so a test that
    /// reads more than it scripted shows it in its failure message.
    public init(name: String = "scripted probe", samples: [ProbeSample] = [], whenEmpty: ProbeSample? = nil) {
        self.name = name
        script = Mutex(Script(queued: samples,
                              whenEmpty: whenEmpty ?? .missing(detail: "the script of probe \(name) has run out")))
    }

    public func read() async -> ProbeSample {
        script.withLock { script in
            script.readCount += 1
            return script.queued.isEmpty ? script.whenEmpty : script.queued.removeFirst()
        }
    }

    /// Appends samples to be returned after those already queued.
    public func enqueue(_ samples: ProbeSample...) {
        script.withLock { $0.queued += samples }
    }

    /// What reads return once the queue is used up (a steady temperature, say).
    public var whenEmpty: ProbeSample {
        get { script.withLock { $0.whenEmpty } }
        set { script.withLock { $0.whenEmpty = newValue } }
    }

    public var readCount: Int { script.withLock { $0.readCount } }

    public var remainingSampleCount: Int { script.withLock { $0.queued.count } }
}
