extension PanelCatalogue {
    /// Simplified Chinese. The keys keep the names printed on them (MENU, ENTER, CLEAR), sizes
    /// their letters and door labels their text: what the person sees on the cabinet.
    static func simplifiedChinese(_ message: PanelMessage) -> [PanelText.Part] {
        switch message {
        case .welcome:
            return flowing("请输入取件码或扫描取件二维码。快递员请按MENU键。")
        case .codeProgress(let typed, let length):
            return flowing("取件码：" + String(repeating: "*", count: typed) + String(repeating: "_", count: max(0, length - typed)))
        case .codeTooShort(let length):
            return flowing("取件码为\(length)位数字，请重新输入。")
        case .notAPickupCode:
            return flowing("这不是取件码。请输入取件码或扫描取件二维码。")
        case .wrongCode(let triesLeft):
            return flowing("取件码错误，还可再试\(triesLeft)次。")
        case .lockedOut(let seconds):
            return flowing("键盘已锁定\(chineseWait(seconds))。二维码取件和快递员仍可使用。")
        case .courierLockedOut(let seconds):
            return flowing("此快递员编号的PIN错误次数过多，请\(chineseWait(seconds))后再试。")
        case .pickupDoorOpen(let label):
            return flowing("\(label)号柜门已打开。请取出包裹并关好柜门。")
        case .pickupDone(let label):
            return flowing("谢谢！\(label)号柜门已关闭。")
        case .parcelStillInside(let label):
            return flowing("您的包裹仍在\(label)号柜内。再次输入取件码可重新开门。")
        case .doorUnavailable(let label):
            return flowing("\(label)号柜门暂时无法打开，请联系工作人员。")
        case .pickupNotRecordable:
            return flowing("柜机暂时无法记录本次取件，请联系工作人员。")
        case .codesUncheckable:
            return flowing("柜机暂时无法核验取件码，请联系工作人员。")
        case .parcelGone:
            return flowing("该包裹已不在柜中。")
        case .codeWithdrawn:
            return flowing("此取件码已被撤销，请联系寄件方。")
        case .codeAlreadyUsed:
            return flowing("此取件码已使用过。")
        case .scanUnreadable:
            return flowing("无法识别扫描内容，请重新扫描。")
        case .credentialUncheckable:
            return flowing("柜机暂时无法核验此码，请联系工作人员。")
        case .credentialRefused(let problem):
            let reason = switch problem {
            case .malformed: "本柜无法识别此凭证"
            case .unknownKey(let key): "签名密钥“\(key)”不受本柜信任"
            case .badSignature: "签名无效"
            case .otherCabinet(let cabinet): "此码签发给柜机“\(cabinet)”"
            case .expired: "已过期"
            case .wrongKind(let kind): "“\(kind)”类凭证不能在此使用"
            }
            return flowing("此码不能在本柜使用：\(reason)。")
        case .badgeNamesNoCourier:
            return flowing("此工牌未指明快递员。")
        case .badgeInvalid:
            return flowing("此工牌在本柜无效。")
        case .enterCourierID:
            return flowing("快递员：请输入快递员编号，按ENTER确认。")
        case .enterPIN:
            return flowing("请输入PIN码，按ENTER确认。")
        case .courierIdle:
            return flowing("快递员会话进行中，按任意键继续。")
        case .courierRejected:
            return flowing("快递员编号或PIN码错误。")
        case .courierReady(let name):
            return flowing("\(name)您好。请扫描包裹或输入单号后按ENTER。直接按ENTER：更多选项。")
        case .courierOptions:
            return flowing("1 取回下一个逾期柜，3 全部取回，2 退出登录，CLEAR 返回。")
        case .trackingRejected(let trackingNumber, let problem):
            return flowing("无法接收此包裹：\(simplifiedChineseReason(trackingNumber, problem))。")
        case .chooseSize(let tracking, let suggested, let temperatureClass):
            return flowing("包裹\(tracking)（\(chineseName(temperatureClass))）：尺寸 1 XS 2 S 3 M 4 L 5 XL，ENTER = \(suggested)。"
                + "温区：0 常温 6 冷藏 7 冷冻 8 加热。CLEAR 取消。")
        case .depositDoorOpening(let label):
            return flowing("正在打开\(label)号柜门。2 柜门未打开，CLEAR 取消。")
        case .depositDoorOpen(let label):
            return flowing("\(label)号柜门已打开。请放入包裹并关好柜门。1 换大柜门，2 柜门未打开，CLEAR 取消。")
        case .noCompartment(let size, let temperatureClass):
            return flowing("没有\(size)或更大尺寸的空闲\(chineseName(temperatureClass))格口。未存入任何包裹。")
        case .noCompartmentAtTemperature(let temperatureClass):
            return flowing("\(chineseName(temperatureClass))格口目前均未达到设定温度，无法接收此包裹。未存入任何包裹。")
        case .storageFull:
            return flowing("柜机存储空间已满，暂不能存件。取件不受影响。")
        case .depositNotRecordable:
            return flowing("柜机暂时无法记录存件，请联系工作人员。")
        case .depositFailed:
            return flowing("存件未能记录。请取回包裹并联系工作人员。")
        case .depositCommitted(let label, let code):
            return [PanelText.Part("已存入\(label)号柜。取件码："), PanelText.Part(code, ownLine: true, trailing: "。"),
                    PanelText.Part("请扫描下一个包裹。")]
        case .depositAddedToShared(let label):
            return flowing("已存入\(label)号柜，与同一收件人的其他包裹放在一起，沿用原取件码。请扫描下一个包裹。")
        case .depositRecorded(let label):
            return flowing("\(label)号柜的存件已记录。")
        case .depositCancelled(let label):
            return flowing("存件已取消。请关好\(label)号柜门。")
        case .depositClosedEmpty(let label):
            return flowing("\(label)号柜门关闭时柜内没有包裹：存件已取消。")
        case .doorNeedsInspection(let label, let trackingNumber, let afterCancel):
            return flowing(afterCancel
                ? "\(label)号柜已停用：包裹\(trackingNumber)的存件已取消，但柜内有物品。"
                : "\(label)号柜已停用：包裹\(trackingNumber)的存件被中断，请检查包裹是否在柜内。")
        case .doorDidNotOpen(let label):
            return flowing("\(label)号柜门未能打开，已停止使用。")
        case .noOverdueParcels:
            return flowing("没有需要取回的逾期包裹。")
        case .retrievalDoorOpen(let label, let parcels):
            return flowing("\(label)号柜门已打开：请取出\(parcels)个逾期包裹并关好柜门。")
        case .retrievalDone(let label):
            return flowing("\(label)号柜的取回已记录。")
        case .retrievalNotRecorded(let label):
            return flowing("逾期包裹仍在\(label)号柜中，取回未记录。")
        case .retrievalBatchList(let labels, let doors, let parcels):
            return flowing("正在逐个打开\(doors)个柜门，取回\(parcels)个逾期包裹：\(chineseList(labels, of: doors))。")
        case .retrievalBatchDoorOpen(let label, let parcels, let position, let doors):
            return flowing("\(label)号柜门已打开（第\(position)个，共\(doors)个）：请取出\(parcels)个逾期包裹。")
        case .retrievalBatchDoorSkipped(let label):
            return flowing("\(label)号柜门未能打开，继续打开下一个柜门。")
        case .retrievalBatchFinished(let parcels, let opened, let notOpened, let notOpenedDoors):
            let taken = opened == 0 ? "没有柜门打开。" : "柜门已全部处理：请从\(opened)个已打开的柜门取出\(parcels)个逾期包裹，并逐一关好柜门。"
            return flowing(taken + (notOpened.isEmpty ? "" : "未打开：\(chineseList(notOpened, of: notOpenedDoors))。"))
        case .pleaseCloseDoor(let label):
            return flowing("请关好\(label)号柜门。")
        case .loggedOut:
            return flowing("快递员已退出登录。")
        }
    }

    static func simplifiedChineseReason(_ trackingNumber: String, _ problem: TrackingNumberProblem) -> String {
        switch problem {
        case .tooShort: "单号“\(trackingNumber)”少于4个字符"
        case .tooLong: "单号超过40个字符"
        case .badCharacters: "单号“\(trackingNumber)”含有字母、数字和-以外的字符"
        case .alreadyInside(let label): "包裹\(trackingNumber)已在\(label)号柜中"
        case .beingDeposited(let label): "包裹\(trackingNumber)正在存入\(label)号柜"
        }
    }

    /// Door labels as listed on the panel ("A01 A02 A03"), with how many in all when not all are listed.
    static func chineseList(_ labels: [String], of total: Int) -> String {
        labels.joined(separator: " ") + (total > labels.count ? " 等\(total)个" : "")
    }

    /// "40秒" under a minute, else whole minutes rounded up ("4分钟").
    static func chineseWait(_ seconds: Int) -> String {
        seconds < 60 ? "\(seconds)秒" : "\((seconds + 59) / 60)分钟"
    }

    static func chineseName(_ temperatureClass: TemperatureClass) -> String {
        switch temperatureClass {
        case .ambient: "常温"
        case .chilled: "冷藏"
        case .frozen: "冷冻"
        case .heated: "加热"
        }
    }
}
