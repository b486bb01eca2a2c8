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
    }
}
