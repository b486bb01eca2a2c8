import Crypto
import Foundation
import LockerCore
import LockerUplink
import Testing
@testable import LockerDaemon

/// Pickup QR codes and courier badges signed by the central server, used with no network.
@Suite struct OfflineCredentialFlowTests {
    static let serverKey = Curve25519.Signing.PrivateKey()

    static var configuration: CabinetConfiguration {
        var configuration = CabinetConfiguration.simulatedDefault
        var uplink = UplinkConfiguration(url: "https://central.example.com")
        uplink.credentialKeys = ["k1": serverKey.publicKey.rawRepresentation.base64EncodedString()]
        configuration.uplink = uplink
        return configuration
    }

    static func token(_ claims: OfflineCredential.Claims, key: Curve25519.Signing.PrivateKey = serverKey) throws -> String {
        try OfflineCredential.issue(claims, signedWith: key)
    }

    @Test func aPickupQRCodeOpensTheDoorOnceAndNeverAgain() async throws {
        let cabinet = try await CabinetHarness(configuration: Self.configuration)
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        let (door, _) = try await cabinet.deposit("SF6000000001")
        await cabinet.press("enter 2")
        let parcel = try #require(try cabinet.liveParcels().first)
        let qr = try Self.token(.init(kid: "k1", typ: "pickup", cab: "cabinet-1",
                                      exp: cabinet.clock.now().addingTimeInterval(86_400).timeIntervalSince1970, jti: "qr-1", parcel: parcel.id,
                                      trk: parcel.trackingNumber))
        await cabinet.scan(qr)
        #expect(cabinet.isOpen(door), "\(cabinet.lastDisplay)")
        #expect(try cabinet.events().last { $0.kind == "pickup.door_opened" }?.payload.contains("qr-1") == true)
        // Closed without taking the parcel: it stays, and the same QR code does not open again.
        try await cabinet.close(door)
        await cabinet.scan(qr)
        #expect(!cabinet.isOpen(door))
        #expect(cabinet.lastDisplay.contains("already used"))
        await cabinet.stop()
    }

    @Test func forgedForeignAndExpiredCodesAreRefusedEvenWithTheClockSetBack() async throws {
        let first = try await CabinetHarness(configuration: Self.configuration)
        await first.courierLogin()
        let (door, _) = try await first.deposit("SF6000000002")
        await first.press("enter 2")
        let parcel = try #require(try first.liveParcels().first)
        let now = first.clock.now()
        let claims = OfflineCredential.Claims(kid: "k1", typ: "pickup", cab: "cabinet-1",
                                              exp: now.addingTimeInterval(3_600).timeIntervalSince1970, jti: "qr-2", parcel: parcel.id,
                                              trk: parcel.trackingNumber)
        var foreign = claims
        foreign.cab = "cabinet-9"
        for (code, reason) in [(try Self.token(claims, key: .init()), "does not verify"), (try Self.token(foreign), "cabinet-9"),
                               ("LKT1.garbage", "can read")] {
            await first.scan(code)
            #expect(!first.isOpen(door))
            #expect(first.lastDisplay.contains(reason), "\(first.lastDisplay)")
        }
        // Two hours pass (the code expires); then the clock is set back before the expiry.
        await first.wait(seconds: 7_200)
        await first.scan(try Self.token(claims))
        #expect(first.lastDisplay.contains("expired"))
        await first.stop()

        let setBack = ManualCabinetClock(start: now)
        let second = try await CabinetHarness(configuration: Self.configuration, directory: first.directory, clock: setBack)
        defer { second.removeFiles() }
        await second.scan(try Self.token(claims))
        #expect(!second.isOpen(door), "an expired code stays expired when the clock goes back")
        #expect(second.lastDisplay.contains("expired"))
        await second.stop()
    }

    @Test func aCourierBadgeLogsTheCourierInWithoutAPIN() async throws {
        let cabinet = try await CabinetHarness(configuration: Self.configuration)
        defer { cabinet.removeFiles() }
        let badge = try Self.token(.init(kid: "k1", typ: "courier", cab: "cabinet-1",
                                         exp: cabinet.clock.now().addingTimeInterval(86_400 * 30).timeIntervalSince1970, jti: "badge-7",
                                         courier: "1001", name: "Ann", carrier: "SF Express"))
        await cabinet.scan(badge)
        #expect(cabinet.lastDisplay.contains("Hello Ann"), "\(cabinet.lastDisplay)")
        await cabinet.scan("SF6000000003")
        await cabinet.press("enter")
        #expect(cabinet.openDoorLabel() != nil)
        await cabinet.stop()
    }

    @Test func aBadgeForAnUnknownCourierOrOfTooLongALifeIsRefused() async throws {
        let cabinet = try await CabinetHarness(configuration: Self.configuration)
        defer { cabinet.removeFiles() }
        let now = cabinet.clock.now()
        let stranger = try Self.token(.init(kid: "k1", typ: "courier", cab: "cabinet-1", exp: now.addingTimeInterval(3_600).timeIntervalSince1970,
                                            jti: "b-1", courier: "9999", name: "Mallory"))
        await cabinet.scan(stranger)
        #expect(cabinet.lastDisplay.contains("not valid"))
        let forever = try Self.token(.init(kid: "k1", typ: "courier", cab: "cabinet-1", exp: now.addingTimeInterval(400 * 86_400).timeIntervalSince1970,
                                           jti: "b-2", courier: "1001", name: "Ann"))
        await cabinet.scan(forever)
        #expect(cabinet.lastDisplay.contains("not valid"))
        await cabinet.stop()
    }

    @Test func aQRCodeForAnotherParcelUnderTheSameIdOrAWithdrawnCodeOpensNothing() async throws {
        let cabinet = try await CabinetHarness(configuration: Self.configuration)
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        let (door, _) = try await cabinet.deposit("SF6000000004")
        await cabinet.press("enter 2")
        let parcel = try #require(try cabinet.liveParcels().first)
        let exp = cabinet.clock.now().addingTimeInterval(86_400).timeIntervalSince1970
        // The same parcel id, but the tracking number of a parcel in another database.
        await cabinet.scan(try Self.token(.init(kid: "k1", typ: "pickup", cab: "cabinet-1", exp: exp, jti: "q-1", parcel: parcel.id,
                                                trk: "SF9999999999")))
        #expect(!cabinet.isOpen(door))
        var revoke = UplinkAcknowledgement.Command(id: "rev-9", type: "revoke_code")
        revoke.parcelId = parcel.id
        let revokeCommand = revoke
        _ = await cabinet.inbox.perform { await $0.execute(revokeCommand) }
        await cabinet.scan(try Self.token(.init(kid: "k1", typ: "pickup", cab: "cabinet-1", exp: exp, jti: "q-2", parcel: parcel.id,
                                                trk: parcel.trackingNumber)))
        #expect(!cabinet.isOpen(door), "revoke_code ends the QR code too")
        #expect(cabinet.lastDisplay.contains("withdrawn"))
        await cabinet.stop()
    }

    @Test func wrongCourierPINsLockThatCourierIDAndNeverTheKeypad() async throws {
        let cabinet = try await CabinetHarness(configuration: Self.configuration)
        defer { cabinet.removeFiles() }
        for _ in 0..<5 { await cabinet.courierLogin(id: "1001", pin: "0000") }
        let kinds = try cabinet.eventKinds()
        #expect(kinds.contains("courier.locked_out") && !kinds.contains("keypad.locked_out"), "\(kinds)")
        await cabinet.courierLogin(id: "1001", pin: "4321")
        #expect(!cabinet.lastDisplay.contains("Hello Ann"), "that id is locked even with the right PIN: \(cabinet.lastDisplay)")
        #expect(cabinet.lastDisplay.contains("Too many wrong PINs for this courier ID"), "\(cabinet.lastDisplay)")
        await cabinet.stop()
    }
}
