public import Crypto
public import Foundation

/// A credential the central server signed for use without a network: a resident's pickup QR code
/// or a courier's badge. Text form (what the QR code or barcode holds):
/// `LKT1.<base64url claims JSON>.<base64url Ed25519 signature over the claims part>`.
///
/// The cabinet checks the signature against the server's credential keys (by key id), that the
/// token names this cabinet, and that it has not expired, measured against the latest time the
/// cabinet has ever seen (so setting the clock back does not revive a token). Pickup tokens are
/// single-use: their id is recorded with the door opening.
public struct OfflineCredential: Sendable, Equatable {
    public static let prefix = "LKT1."

    public struct Claims: Sendable, Codable, Equatable {
        /// Key id: which of the server's keys signed it.
        public var kid: String
        /// "pickup" or "courier".
        public var typ: String
        /// The cabinet it is for.
        public var cab: String
        /// Expiry, seconds since 1970.
        public var exp: Double
        /// Unique id (single use for pickups).
        public var jti: String
        /// pickup: the parcel, and its tracking number (ids are the cabinet's and start again in a
        /// new database; the pair names one parcel).
        public var parcel: Int64?
        public var trk: String?
        /// courier: who.
        public var courier: String?
        public var name: String?
        public var carrier: String?

        public init(kid: String, typ: String, cab: String, exp: Double, jti: String, parcel: Int64? = nil, trk: String? = nil,
                    courier: String? = nil, name: String? = nil, carrier: String? = nil) {
            self.trk = trk
            self.kid = kid
            self.typ = typ
            self.cab = cab
            self.exp = exp
            self.jti = jti
            self.parcel = parcel
            self.courier = courier
            self.name = name
            self.carrier = carrier
        }
    }

    public enum Rejection: Error, Equatable, CustomStringConvertible {
        case malformed
        case unknownKey(String)
        case badSignature
        case otherCabinet(String)
        case expired
        case wrongKind(String)

        public var description: String {
            switch self {
            case .malformed: "not a credential this cabinet can read"
            case .unknownKey(let kid): "signed with key \"\(kid.prefix(32))\", which this cabinet does not trust"
            case .badSignature: "the signature does not verify"
            case .otherCabinet(let cabinet): "issued for cabinet \"\(cabinet.prefix(32))\""
            case .expired: "expired"
            case .wrongKind(let kind): "a \(kind.prefix(16)) credential cannot be used here"
            }
        }
    }

    public let claims: Claims

    /// Reads and checks `text`. `keys` maps key ids to the server's public keys; `latestKnownTime`
    /// is the larger of the clock and the latest time the cabinet has recorded.
    public static func verify(
        _ text: String, keys: [String: Curve25519.Signing.PublicKey], cabinetID: String, latestKnownTime: Date
    ) throws(Rejection) -> OfflineCredential {
        guard text.hasPrefix(prefix), text.utf8.count <= 2_048 else { throw .malformed }
        let parts = text.dropFirst(prefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let body = Self.base64URLDecode(parts[0]), let signature = Self.base64URLDecode(parts[1]),
              let claims = try? JSONDecoder().decode(Claims.self, from: body)
        else { throw .malformed }
        guard let key = keys[claims.kid] else { throw .unknownKey(claims.kid) }
        guard key.isValidSignature(signature, for: Data(parts[0].utf8)) else { throw .badSignature }
        guard claims.cab == cabinetID else { throw .otherCabinet(claims.cab) }
        guard Date(timeIntervalSince1970: claims.exp) > latestKnownTime else { throw .expired }
        return OfflineCredential(claims: claims)
    }

    /// Makes a token (the server's side; used by tests and tools).
    public static func issue(_ claims: Claims, signedWith key: Curve25519.Signing.PrivateKey) throws -> String {
        let body = base64URLEncode(try JSONEncoder().encode(claims))
        let signature = try key.signature(for: Data(body.utf8))
        return prefix + body + "." + base64URLEncode(signature)
    }

    static func base64URLEncode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func base64URLDecode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
