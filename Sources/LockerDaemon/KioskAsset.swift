/// The files of the kiosk page, compiled into lockerd: nothing to install or to find at run time,
/// and the page always matches the feed it reads. The page holds no data: it is served to anyone
/// on loopback; its feed and keys want the token (see `KioskRouter`).
enum KioskAsset: String, CaseIterable, Sendable {
    case page = "/"
    case style = "/kiosk.css"
    case script = "/kiosk.js"

    var contentType: String {
        switch self {
        case .page: "text/html; charset=utf-8"
        case .style: "text/css; charset=utf-8"
        case .script: "text/javascript; charset=utf-8"
        }
    }

    var body: String {
        switch self {
        case .page: Self.pageHTML
        case .style: Self.styleCSS
        case .script: Self.scriptJS
        }
    }
}
