import Crypto
import Foundation
import LockerCore
import LockerUplink
import Testing
@testable import LockerDaemon

/// Commands from the central server, each carried out once, their results recorded as events.
@Suite struct DownlinkCommandTests {
    static let serverKey = Curve25519.Signing.PrivateKey()

    static func configuration(remoteOpensPerHour: Int = 2) -> CabinetConfiguration {
        var configuration = CabinetConfiguration.simulatedDefault
        var uplink = UplinkConfiguration(url: "https://central.example.com")
        uplink.commandPublicKey = serverKey.publicKey.rawRepresentation.base64EncodedString()
        uplink.remoteOpensPerHour = remoteOpensPerHour
        configuration.uplink = uplink
        return configuration
    }

    static func preAdvice(_ id: String, tracking: String, size: String) -> UplinkAcknowledgement.Command {
        var command = UplinkAcknowledgement.Command(id: id, type: "pre_advice")
        command.preAdvice = .init(trackingNumber: tracking, recipientReference: "r-17", size: size, temperatureClass: "ambient")
        return command
    }

    static func remoteOpen(_ id: String, door: String, notAfter: Date, cabinetID: String = "cabinet-1",
                           signedBy key: Curve25519.Signing.PrivateKey = serverKey) throws -> UplinkAcknowledgement.Command {
        var command = UplinkAcknowledgement.Command(id: id, type: "remote_open")
        command.door = door
        command.reason = "resident locked out, verified by phone"
        command.notAfter = notAfter.formatted(.iso8601)
        command.signature = try key.signature(for: Data(command.remoteOpenSignedText(cabinetID: cabinetID).utf8)).base64EncodedString()
        return command
    }

    func results(_ cabinet: CabinetHarness) throws -> [String] {
        try cabinet.events().filter { $0.kind == "command.result" }.map(\.payload)
    }

    @Test func preAdviceSurvivesARestartIsUsedByTheDepositAndIsCarriedOutOnce() async throws {
        let first = try await CabinetHarness(configuration: Self.configuration())
        let command = Self.preAdvice("cmd-1", tracking: "SF5000000001", size: "L")
        _ = await first.inbox.perform { await $0.execute(command) }
        _ = await first.inbox.perform { await $0.execute(command) }  // delivered twice
        #expect(try results(first).count == 1)
        #expect(try results(first).first?.contains("\"status\":\"done\"") == true)
        await first.stop()

        let second = try await CabinetHarness(configuration: Self.configuration(), directory: first.directory, clock: first.clock)
        defer { second.removeFiles() }
        _ = await second.inbox.perform { await $0.execute(command) }  // and once more after the restart
        #expect(try results(second).count == 1)
        await second.courierLogin()
        await second.scan("SF5000000001")
        #expect(second.lastDisplay.contains("ENTER = L"), "the pre-advised size: \(second.lastDisplay)")
        await second.press("enter")
        let door = try #require(second.openDoorLabel())
        try await second.put(door)
        try await second.close(door)
        #expect(try second.liveParcels().first?.recipientReference == "r-17")
        #expect(try second.store.preAdvice().isEmpty, "used pre-advice is gone")
        await second.stop()
    }

    @Test func remoteOpensNeedTheServersSignatureAFutureDeadlineAndStayUnderTheHourlyLimit() async throws {
        let cabinet = try await CabinetHarness(configuration: Self.configuration(remoteOpensPerHour: 2))
        defer { cabinet.removeFiles() }
        let now = cabinet.clock.now()
        let stranger = Curve25519.Signing.PrivateKey()
        let refusedOnes = [
            try Self.remoteOpen("forged", door: "A01", notAfter: now.addingTimeInterval(300), signedBy: stranger),
            try Self.remoteOpen("expired", door: "A01", notAfter: now.addingTimeInterval(-1)),
            try Self.remoteOpen("other-cabinet", door: "A01", notAfter: now.addingTimeInterval(300), cabinetID: "cabinet-9"),
        ]
        for command in refusedOnes { _ = await cabinet.inbox.perform { await $0.execute(command) } }
        #expect(!cabinet.isOpen("A01"))
        var tampered = try Self.remoteOpen("tampered", door: "A01", notAfter: now.addingTimeInterval(300))
        tampered.door = "A02"  // signed for A01
        let tamperedCommand = tampered
        _ = await cabinet.inbox.perform { await $0.execute(tamperedCommand) }
        #expect(!cabinet.isOpen("A02"))
        #expect(try results(cabinet).count == 4 && results(cabinet).allSatisfy { $0.contains("\"status\":\"refused\"") })

        let good = try Self.remoteOpen("open-1", door: "A01", notAfter: now.addingTimeInterval(300))
        _ = await cabinet.inbox.perform { await $0.execute(good) }
        #expect(cabinet.isOpen("A01"))
        let opened = try #require(try cabinet.events().last { $0.kind == "command.result" })
        #expect(opened.compartmentID == 0, "the door the command opened is in the envelope")
        #expect(opened.payload.contains("\"label\":\"A01\"") && opened.payload.contains("\"type\":\"remote_open\""))
        try await cabinet.close("A01")
        // The door's movements are in the record, with the door and the command that opened it.
        let moves = try cabinet.events().filter { $0.kind == "door.opened" || $0.kind == "door.closed" }
        #expect(moves.map(\.kind) == ["door.opened", "door.closed"], "\(moves.map(\.kind))")
        #expect(moves.allSatisfy { $0.compartmentID == 0 && $0.payload.contains("\"opened_for\":\"remote_open open-1\"") })
        _ = await cabinet.inbox.perform { await $0.execute(good) }  // replayed
        #expect(!cabinet.isOpen("A01"), "a command id opens once")

        let second = try Self.remoteOpen("open-2", door: "A03", notAfter: now.addingTimeInterval(300))
        _ = await cabinet.inbox.perform { await $0.execute(second) }
        #expect(cabinet.isOpen("A03"))
        let third = try Self.remoteOpen("open-3", door: "A04", notAfter: now.addingTimeInterval(300))
        _ = await cabinet.inbox.perform { await $0.execute(third) }
        #expect(!cabinet.isOpen("A04"), "over the hourly limit")
        #expect(try results(cabinet).last?.contains("remote opens per hour") == true)
        await cabinet.stop()
    }

    @Test func aRevokedCodeNoLongerOpensAndAnExtensionMovesTheDeadline() async throws {
        let cabinet = try await CabinetHarness(configuration: Self.configuration())
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        let (door, shown) = try await cabinet.deposit("SF5000000009")
        let code = try #require(shown)
        await cabinet.press("enter 2")
        let parcel = try #require(try cabinet.liveParcels().first)

        var extend = UplinkAcknowledgement.Command(id: "ext-1", type: "extend_code")
        extend.parcelId = parcel.id
        extend.extendHours = 24
        let extendCommand = extend
        _ = await cabinet.inbox.perform { await $0.execute(extendCommand) }
        #expect(try cabinet.liveParcels().first?.retentionDeadline == parcel.retentionDeadline.addingTimeInterval(86_400))

        var revoke = UplinkAcknowledgement.Command(id: "rev-1", type: "revoke_code")
        revoke.parcelId = parcel.id
        let revokeCommand = revoke
        _ = await cabinet.inbox.perform { await $0.execute(revokeCommand) }
        await cabinet.press(code)
        #expect(!cabinet.isOpen(door), "the revoked code opens nothing")
        var unknown = UplinkAcknowledgement.Command(id: "cfg-1", type: "configuration")
        unknown.reason = "x"
        let unknownCommand = unknown
        _ = await cabinet.inbox.perform { await $0.execute(unknownCommand) }
        #expect(try results(cabinet).last?.contains("configuration without changes") == true)
        await cabinet.stop()
    }

    @Test func theServersCourierListLogsCouriersInAndReplacesTheLastOne() async throws {
        let cabinet = try await CabinetHarness(configuration: Self.configuration())
        defer { cabinet.removeFiles() }
        typealias Credential = UplinkAcknowledgement.Command.CourierCredential
        var list = UplinkAcknowledgement.Command(id: "couriers-1", type: "courier_credentials")
        list.couriers = [Credential(id: "3003", name: "Cy", carrier: "GLS",
                                    pinHash: Credential.pinHash(cabinetID: "cabinet-1", courierID: "3003", pin: "8642"))]
        let first = list
        _ = await cabinet.inbox.perform { await $0.execute(first) }
        await cabinet.courierLogin(id: "3003", pin: "1111")
        #expect(!cabinet.lastDisplay.contains("Hello Cy"), "a wrong PIN")
        await cabinet.courierLogin(id: "3003", pin: "8642")
        #expect(cabinet.lastDisplay.contains("Hello Cy"), "\(cabinet.lastDisplay)")
        await cabinet.press("enter 2")

        list.id = "couriers-2"
        list.couriers = []
        let second = list
        _ = await cabinet.inbox.perform { await $0.execute(second) }
        await cabinet.courierLogin(id: "3003", pin: "8642")
        #expect(!cabinet.lastDisplay.contains("Hello Cy"), "removed from the list")
        await cabinet.courierLogin(id: "1001", pin: "4321")
        #expect(cabinet.lastDisplay.contains("Hello Ann"), "the configured couriers stay")
        await cabinet.stop()
    }

    @Test func extendingAnOverdueParcelPutsItBackInCustody() async throws {
        let cabinet = try await CabinetHarness(configuration: Self.configuration())
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        let (door, _) = try await cabinet.deposit("SF5000000010")
        await cabinet.press("enter 2")
        await cabinet.jump(seconds: 49 * 3_600)
        let parcel = try #require(try cabinet.liveParcels().first)
        let state = try cabinet.compartment(door).state
        #expect(parcel.status == .overdue && state == .overdue)
        var extend = UplinkAcknowledgement.Command(id: "ext-9", type: "extend_code")
        extend.parcelId = parcel.id
        extend.extendHours = 24
        let command = extend
        _ = await cabinet.inbox.perform { await $0.execute(command) }
        #expect(try cabinet.liveParcels().first?.status == .inCustody)
        #expect(try cabinet.compartment(door).state == .occupied)
        await cabinet.stop()
    }

    @Test func policyChangesFromTheServerApplyAtOnceSurviveARestartAndStayWithinBounds() async throws {
        let first = try await CabinetHarness(configuration: Self.configuration())
        var change = UplinkAcknowledgement.Command(id: "cfg-1", type: "configuration")
        change.configuration = ["doorAlarmSeconds": .number(30), "retentionHours": .object(["ambient": .number(72)])]
        let apply = change
        _ = await first.inbox.perform { await $0.execute(apply) }
        #expect(try results(first).last?.contains("\"status\":\"done\"") == true)
        #expect(await first.inbox.perform { $0.configuration.doorAlarmSeconds } == 30)

        var rewire = UplinkAcknowledgement.Command(id: "cfg-2", type: "configuration")
        rewire.configuration = ["boards": .array([]), "doorAlarmSeconds": .number(20)]
        let refusedRewire = rewire
        _ = await first.inbox.perform { await $0.execute(refusedRewire) }
        #expect(try results(first).last?.contains("not changeable remotely: boards") == true)
        var nonsense = UplinkAcknowledgement.Command(id: "cfg-3", type: "configuration")
        nonsense.configuration = ["doorAlarmSeconds": .number(-5)]
        let refusedNonsense = nonsense
        _ = await first.inbox.perform { await $0.execute(refusedNonsense) }
        #expect(try results(first).last?.contains("doorAlarmSeconds must be") == true)
        #expect(await first.inbox.perform { $0.configuration.doorAlarmSeconds } == 30, "refused changes change nothing")
        await first.stop()

        let second = try await CabinetHarness(configuration: Self.configuration(), directory: first.directory, clock: first.clock)
        defer { second.removeFiles() }
        #expect(await second.inbox.perform { $0.configuration.doorAlarmSeconds } == 30)
        #expect(await second.inbox.perform { $0.configuration.retentionHours["ambient"] } == 72)
        await second.courierLogin()
        _ = try await second.deposit("SF5000000020")
        let parcel = try #require(try second.liveParcels().first)
        #expect(parcel.retentionDeadline.timeIntervalSince(parcel.depositedAt) == 72 * 3_600)
        await second.stop()
    }

    @Test func aServerIssuedCodeAndRetentionFromPreAdviceAreUsed() async throws {
        let cabinet = try await CabinetHarness(configuration: Self.configuration())
        defer { cabinet.removeFiles() }
        var advice = Self.preAdvice("pa-1", tracking: "SF5000000030", size: "S")
        advice.preAdvice?.pickupCode = "24681357"
        advice.preAdvice?.retentionHours = 6
        let command = advice
        _ = await cabinet.inbox.perform { await $0.execute(command) }
        var clash = Self.preAdvice("pa-2", tracking: "SF5000000031", size: "S")
        clash.preAdvice?.pickupCode = "24681357"
        let clashing = clash
        _ = await cabinet.inbox.perform { await $0.execute(clashing) }
        #expect(try results(cabinet).last?.contains("already in use") == true)

        await cabinet.courierLogin()
        let (door, shown) = try await cabinet.deposit("SF5000000030")
        #expect(shown == nil, "the courier is shown no code: the resident has the server's")
        let parcel = try #require(try cabinet.liveParcels().first)
        #expect(parcel.retentionDeadline.timeIntervalSince(parcel.depositedAt) == 6 * 3_600)
        await cabinet.press("enter 2")
        await cabinet.press("24681357")
        #expect(cabinet.isOpen(door), "the server's code opens the door: \(cabinet.lastDisplay)")
        await cabinet.stop()
    }

    /// `resend_events`: granted for a range this cabinet holds (recorded for the uplink with the
    /// command, once), refused with the reason for an epoch or a sequence it does not hold.
    @Test func aResendRequestIsGrantedForHeldEventsAndRefusedOtherwise() async throws {
        let cabinet = try await CabinetHarness(configuration: Self.configuration())
        defer { cabinet.removeFiles() }
        let epoch = cabinet.store.epoch
        let first = try #require(try cabinet.store.firstSequence(ofEpoch: epoch))
        func resend(_ id: String, epoch: String?, from: Int64?) -> UplinkAcknowledgement.Command {
            var command = UplinkAcknowledgement.Command(id: id, type: "resend_events")
            command.epoch = epoch
            command.fromSequence = from
            return command
        }
        let commands = [resend("r-1", epoch: String(repeating: "a", count: 32), from: 1),
                        resend("r-2", epoch: epoch, from: first + 10_000),
                        resend("r-3", epoch: nil, from: nil),
                        resend("r-4", epoch: epoch, from: first)]
        for command in commands { _ = await cabinet.inbox.perform { await $0.execute(command) } }
        let answers = try results(cabinet)
        #expect(answers.count == 4, "\(answers)")
        #expect(answers[0].contains("refused") && answers[0].contains("is not in this cabinet's record"))
        #expect(answers[1].contains("refused") && answers[1].contains("holds sequences"))
        #expect(answers[2].contains("resend_events needs epoch and fromSequence"))
        #expect(answers[3].contains("done") && answers[3].contains("will be sent again"))
        #expect(try cabinet.store.uplinkResendFrom() == first)
        await cabinet.stop()
    }
}
