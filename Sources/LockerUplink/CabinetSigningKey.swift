public import Crypto
public import Foundation

/// The cabinet's Ed25519 key: every upload body is signed with it so the server knows the batch
/// came from this cabinet (whatever TLS terminator sits in between). Generated on first start into
/// its own file, mode 0600, beside the database; the public key is enrolled with the server.
public struct CabinetSigningKey: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey
    public let cabinetID: String

    public init(privateKey: Curve25519.Signing.PrivateKey, cabinetID: String) {
        self.privateKey = privateKey
        self.cabinetID = cabinetID
    }

    public struct KeyFileError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Loads the key, or creates it when the file does not exist. A file that exists but is not a
    /// key is an error, never silently replaced (the server knows the old public key).
    public static func loadOrCreate(at url: URL, cabinetID: String) throws -> CabinetSigningKey {
        if let data = FileManager.default.contents(atPath: url.path) {
            guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: data) else {
                throw KeyFileError(description: "\(url.path) is not an Ed25519 key (\(data.count) bytes); move it aside to generate a new one")
            }
            return CabinetSigningKey(privateKey: key, cabinetID: cabinetID)
        }
        let key = Curve25519.Signing.PrivateKey()
        let created = FileManager.default.createFile(atPath: url.path, contents: key.rawRepresentation,
                                                     attributes: [.posixPermissions: 0o600])
        guard created else { throw KeyFileError(description: "cannot create the signing key \(url.path)") }
        return CabinetSigningKey(privateKey: key, cabinetID: cabinetID)
    }

    /// "<cabinet>:<first 16 hex digits of SHA-256(public key)>".
    public var keyID: String {
        let digest = SHA256.hash(data: privateKey.publicKey.rawRepresentation)
        return cabinetID + ":" + digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    public var publicKeyBase64: String { privateKey.publicKey.rawRepresentation.base64EncodedString() }

    /// The `Lockerd-Signature` header for `body`.
    public func signatureHeader(for body: Data) throws -> String {
        let signature = try privateKey.signature(for: body)
        return #"keyId="\#(keyID)", algorithm="ed25519", signature="\#(signature.base64EncodedString())""#
    }
}
