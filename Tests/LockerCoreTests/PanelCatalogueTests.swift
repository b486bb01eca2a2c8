import Foundation
import LockerCore
import Testing

/// The catalogue: every message id has a wording in every language, the wordings carry the
/// message's parameters, and English is what the panel has always said.
@Suite struct PanelCatalogueTests {
    @Test func theSamplesCoverEveryMessageID() {
        let covered = Set(PanelMessageSamples.all.map(\.id))
        let missing = PanelMessageID.allCases.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "messages without a sample (add one to PanelMessageSamples): \(missing)")
    }

    @Test(arguments: PanelLanguage.allCases)
    func everyMessageIDHasAWordingInTheLanguage(_ language: PanelLanguage) {
        for message in PanelMessageSamples.all {
            let text = PanelCatalogue.text(message, in: language)
            #expect(text.language == language)
            #expect(!text.text.isEmpty, "\(message.id.rawValue) has no \(language.rawValue) text")
            let hasCJK = text.text.contains { CharacterScreenLayout.columns(of: $0) == 2 }
            // Chinese must really be Chinese (not English left in place), English must be English.
            #expect(hasCJK == (language == .simplifiedChinese), "\(message.id.rawValue) in \(language.rawValue): \(text.text)")
        }
    }

    /// What the person needs to act on (the door, the code, the parcel, the count) is in every
    /// language's wording.
    @Test(arguments: PanelLanguage.allCases)
    func everyWordingCarriesTheMessagesParameters(_ language: PanelLanguage) {
        let verbatim: Set<String> = ["label", "code", "tracking_number", "name", "tries_left", "parcels", "length", "key", "cabinet", "kind",
                                     "labels", "doors", "position", "not_opened"]
        for message in PanelMessageSamples.all {
            let text = PanelCatalogue.text(message, in: language).text
            // Shown otherwise by design: the code's length as "_" marks, and an over-long tracking
            // number is not repeated (the problem is its length).
            let shownOtherwise: [PanelMessageID: String] = [.codeProgress: "length", .trackingTooLong: "tracking_number"]
            // An empty list ("not_opened" when every door opened) has nothing to show.
            for (name, value) in message.arguments where verbatim.contains(name) && shownOtherwise[message.id] != name && !value.isEmpty {
                #expect(text.contains(value), "\(message.id.rawValue) in \(language.rawValue) leaves out \(name) \(value): \(text)")
            }
        }
    }

    @Test func theIDsAreStableAndDistinct() {
        let raw = PanelMessageID.allCases.map(\.rawValue)
        #expect(Set(raw).count == raw.count)
        #expect(raw.allSatisfy { $0.allSatisfy { $0.isASCII && ($0.isLowercase || $0 == "_") } })
        #expect(PanelMessage.depositCommitted(label: "A03", code: "97382946").id.rawValue == "deposit_committed")
        #expect(PanelMessage.depositCommitted(label: "A03", code: "97382946").arguments == ["label": "A03", "code": "97382946"])
    }

    @Test(arguments: [
        (PanelMessage.welcome, "Type your pickup code or scan your QR code. Couriers: press MENU.", "请输入取件码或扫描取件二维码。快递员请按MENU键。"),
        (.depositCommitted(label: "A03", code: "97382946"), "Deposited in A03. Pickup code 97382946. Scan the next parcel.",
         "已存入A03号柜。取件码：97382946。请扫描下一个包裹。"),
        (.lockedOut(seconds: 240), "Keypad locked for 4 min. QR codes and couriers still work.", "键盘已锁定4分钟。二维码取件和快递员仍可使用。"),
        (.depositDoorOpening(label: "A01"), "Opening A01... 2 door did not open, CLEAR cancel.", "正在打开A01号柜门。2 柜门未打开，CLEAR 取消。"),
        (.wrongCode(triesLeft: 1), "Wrong code, 1 try left.", "取件码错误，还可再试1次。"),
        (.retrievalBatchList(labels: ["A01", "A02", "A04"], doors: 5, parcels: 1),
         "Retrieving 1 overdue parcel from 5 doors, one door at a time: A01 A02 A04 +2 more.",
         "正在逐个打开5个柜门，取回1个逾期包裹：A01 A02 A04 等5个。"),
        (.retrievalBatchFinished(parcels: 4, opened: 2, notOpened: ["B07"], notOpenedDoors: 1),
         "All doors done: take the 4 overdue parcels from 2 open doors and close each door. Not opened: B07.",
         "柜门已全部处理：请从2个已打开的柜门取出4个逾期包裹，并逐一关好柜门。未打开：B07。"),
        (.credentialRefused(.expired), "This code cannot be used here: expired.", "此码不能在本柜使用：已过期。"),
        (.trackingRejected(trackingNumber: "123", problem: .tooShort),
         "Cannot accept this parcel: tracking number \"123\" is shorter than 4 characters.", "无法接收此包裹：单号“123”少于4个字符。"),
    ])
    func wordings(_ message: PanelMessage, english: String, chinese: String) {
        #expect(message.text == english)
        #expect(PanelCatalogue.text(message, in: .english).text == english)
        #expect(PanelCatalogue.text(message, in: .simplifiedChinese).text == chinese)
    }

    @Test func theIntakeCheckGivesTheMessagesReason() {
        #expect(ParcelIntake.validationError(forTrackingNumber: "12") == "tracking number \"12\" is shorter than 4 characters")
        #expect(ParcelIntake.validationError(forTrackingNumber: "SF1234") == nil)
    }
}
