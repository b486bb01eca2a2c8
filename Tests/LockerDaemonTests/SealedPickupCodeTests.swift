import Crypto
import Foundation
import LockerCore
import LockerUplink
import Testing
@testable import LockerDaemon

/// A code the cabinet draws reaches the central server sealed in the deposit event, for it alone.
@Suite struct SealedPickupCodeTests {
    @Test func theDepositEventCarriesTheCodeSealedForTheServerAndBoundToTheParcel() async throws {
        let serverKey = Curve25519.KeyAgreement.PrivateKey()
        var configuration = CabinetConfiguration.simulatedDefault
        var uplink = UplinkConfiguration(url: "https://central.example.com")
        uplink.codeSealingKey = serverKey.publicKey.rawRepresentation.base64EncodedString()
        configuration.uplink = uplink
        let cabinet = try await CabinetHarness(configuration: configuration)
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        let (_, shown) = try await cabinet.deposit("SF7000000001")
        let code = try #require(shown)
        let event = try #require(try cabinet.events().last { $0.kind == "deposit.committed" })
        let payload = try JSONDecoder().decode([String: EventValue].self, from: Data(event.payload.utf8))
        guard case .string(let sealed) = payload["sealed_code"] else {
            Issue.record("no sealed code in \(event.payload)")
            return
        }
        #expect(!event.payload.contains(code), "the code itself is not in the event")
        #expect(PickupCodeSealer.open(sealed, with: serverKey, cabinetID: "cabinet-1", trackingNumber: "SF7000000001") == code)
        #expect(PickupCodeSealer.open(sealed, with: serverKey, cabinetID: "cabinet-1", trackingNumber: "SF7000000002") == nil,
                "bound to its parcel")
        #expect(PickupCodeSealer.open(sealed, with: .init(), cabinetID: "cabinet-1", trackingNumber: "SF7000000001") == nil)
        await cabinet.stop()
    }
}
