import Crypto
import LockerDaemon
import Testing

/// Stored code hashes must not change across versions (a parcel deposited before an upgrade is
/// picked up after it): the hasher is held to HMAC-SHA256's published test vectors, hex in lower case.
@Suite struct HMACPickupCodeHasherTests {
    @Test func matchesTheRFC4231Vectors() {
        // RFC 4231, test case 2: key "Jefe".
        #expect(HMACPickupCodeHasher(key: Array("Jefe".utf8)).hash(code: "what do ya want for nothing?")
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // Test case 1: twenty 0x0b bytes, "Hi There".
        #expect(HMACPickupCodeHasher(key: Array(repeating: 0x0B, count: 20)).hash(code: "Hi There")
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        // Test case 6: a 131-byte key, longer than SHA-256's block, which HMAC hashes first.
        #expect(HMACPickupCodeHasher(key: Array(repeating: 0xAA, count: 131))
            .hash(code: "Test Using Larger Than Block-Size Key - Hash Key First")
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    /// The hasher keys its HMAC once and hashes every code from a copy: no code's hash may leak
    /// into the next one's (a copy that shared state would give each code a different answer).
    @Test func hashesEachCodeFromTheKeyAloneHoweverManyCameBefore() {
        let key = Array("device key of a cabinet".utf8)
        let hasher = HMACPickupCodeHasher(key: key)
        let codes = ["482913", "000000", "482913", "", "77777777", "482913"]
        let hashes = codes.map { hasher.hash(code: $0) }
        for (code, hash) in zip(codes, hashes) {
            let fresh = HMAC<SHA256>.authenticationCode(for: Array(code.utf8), using: SymmetricKey(data: key))
            #expect(hash == fresh.map { String($0, radix: 16).leftPadded(to: 2) }.joined(), "code \(code)")
        }
        #expect(hashes[0] == hashes[2] && hashes[2] == hashes[5])
        #expect(Set([hashes[0], hashes[1], hashes[3], hashes[4]]).count == 4)
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
