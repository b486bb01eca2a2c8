/// Why a scanned signed credential (pickup QR code, courier badge) is refused, as the panel says
/// it. The uplink's verifier has its own reasons; the daemon maps them to these.
public enum CredentialProblem: Sendable, Equatable {
    case malformed
    case unknownKey(String)
    case badSignature
    case otherCabinet(String)
    case expired
    case wrongKind(String)
}
