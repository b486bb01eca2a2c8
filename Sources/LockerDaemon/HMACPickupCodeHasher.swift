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
        // Written digit by digit: a String per byte, joined, was most of the hash's time, and the
        // last key of a pickup code waits for it.
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: SHA256.byteCount * 2) { buffer in
            var index = 0
            for byte in mac {
                buffer[index] = digits[Int(byte >> 4)]
                buffer[index + 1] = digits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }
}
