import Crypto
public import LockerCore

/// HMAC-SHA256 of the code under the device key, hex-encoded.
public struct HMACPickupCodeHasher: PickupCodeHasher {
    private let key: SymmetricKey

    public init(key: [UInt8]) {
        self.key = SymmetricKey(data: key)
    }

    public func hash(code: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(code.utf8), using: key)
        return mac.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
