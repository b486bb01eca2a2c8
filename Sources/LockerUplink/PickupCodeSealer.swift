public import Crypto
public import Foundation

/// Seals a pickup code the cabinet drew so that only the central server can read it: it travels
/// in the deposit event, and the server sends it to the resident. HPKE (RFC 9180) with X25519,
/// HKDF-SHA256 and ChaCha20-Poly1305 to the server's code key; the cabinet id and the tracking
/// number are authenticated with it, so a sealed code cannot be moved to another parcel.
/// Text form: `<base64 encapsulated key>.<base64 ciphertext>`.
public struct PickupCodeSealer: Sendable {
    public static let info = Data("lockerd pickup code v1".utf8)

    let recipient: Curve25519.KeyAgreement.PublicKey
    let cabinetID: String

    public init(serverKey: Curve25519.KeyAgreement.PublicKey, cabinetID: String) {
        self.recipient = serverKey
        self.cabinetID = cabinetID
    }

    /// From the configuration's base64 key; nil when there is none or it is not a key.
    public init?(base64Key: String?, cabinetID: String) {
        guard let base64Key, let data = Data(base64Encoded: base64Key),
              let key = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: data)
        else { return nil }
        self.init(serverKey: key, cabinetID: cabinetID)
    }

    public static func associatedData(cabinetID: String, trackingNumber: String) -> Data {
        Data("\(cabinetID)|\(trackingNumber)".utf8)
    }

    public func seal(code: String, trackingNumber: String) throws -> String {
        var sender = try HPKE.Sender(recipientKey: recipient, ciphersuite: .Curve25519_SHA256_ChachaPoly, info: Self.info)
        let ciphertext = try sender.seal(Data(code.utf8),
                                         authenticating: Self.associatedData(cabinetID: cabinetID, trackingNumber: trackingNumber))
        return sender.encapsulatedKey.base64EncodedString() + "." + ciphertext.base64EncodedString()
    }

    /// The server's side (tests and tools): the code, or nil if it does not open.
    public static func open(_ sealed: String, with key: Curve25519.KeyAgreement.PrivateKey, cabinetID: String,
                            trackingNumber: String) -> String? {
        let parts = sealed.split(separator: ".")
        guard parts.count == 2, let encapsulated = Data(base64Encoded: String(parts[0])),
              let ciphertext = Data(base64Encoded: String(parts[1])),
              var recipient = try? HPKE.Recipient(privateKey: key, ciphersuite: .Curve25519_SHA256_ChachaPoly, info: info,
                                                  encapsulatedKey: encapsulated),
              let plain = try? recipient.open(ciphertext, authenticating: associatedData(cabinetID: cabinetID, trackingNumber: trackingNumber))
        else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }
}
