/// Exponential backoff with full jitter: after `failures` failures in a row, wait a uniformly
/// random time between 0 and min(cap, base * 2^failures) (so a fleet of cabinets coming back
/// after a shared outage does not hammer the server in step), and never less than the server's
/// `Retry-After`. Pure: the random source is a parameter.
public struct UplinkBackoff: Sendable, Equatable {
    public var baseSeconds: Double
    public var capSeconds: Double

    public init(baseSeconds: Double, capSeconds: Double) {
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
    }

    /// The longest wait after `failures` failures (before jitter).
    public func ceiling(afterFailures failures: Int) -> Double {
        // 2^failures overflows nothing here: the exponent is bounded where the cap is reached.
        let exponent = Double(min(max(failures, 0), 62))
        return min(capSeconds, baseSeconds * pow2(exponent))
    }

    public func delay(afterFailures failures: Int, retryAfter: Double?, random: inout some RandomNumberGenerator) -> Double {
        let ceiling = ceiling(afterFailures: failures)
        let jittered = ceiling > 0 ? Double.random(in: 0...ceiling, using: &random) : 0
        guard let retryAfter, retryAfter > jittered else { return jittered }
        // The server's wish wins, but a hostile or broken header cannot park the cabinet for days.
        return min(retryAfter, max(capSeconds, ceiling) * 4)
    }

    private func pow2(_ exponent: Double) -> Double {
        var result = 1.0
        var left = Int(exponent)
        while left > 0 {
            result *= 2
            left -= 1
            if result * baseSeconds >= capSeconds { return result }
        }
        return result
    }
}
