import Foundation
import LockerHAL
import NIOHTTP1

/// What the kiosk server does with one request, decided from the request alone (no I/O): every
/// rule of who may do what is here, apart from the connection handling.
///
/// The checks, in order: the Host names this loopback port (a page elsewhere cannot reach it
/// through DNS rebinding); the path is one the kiosk serves; the method fits it; `/events` and
/// `/key` carry this start's token (in the `lockerd_kiosk` cookie the page sets, or as a bearer
/// token); `/key` comes from this origin (a browser sends Origin with every POST) and is
/// `{"key": "..."}` naming one keypad key.
struct KioskRouter: Sendable {
    enum Route: Equatable {
        case asset(KioskAsset)
        /// The server-sent events feed of `KioskScreen`s.
        case events
        /// One key of the on-screen keypad, to go through the panel like a keypad's.
        case key(HardwareKey)
        case refuse(HTTPResponseStatus, String, allow: String? = nil)
    }

    static let cookieName = "lockerd_kiosk"
    /// A key request is a dozen bytes; anything much longer is refused before it is read whole.
    static let maximumBodyBytes = 256

    let token: String
    let port: Int

    func route(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8]) -> Route {
        guard hostIsThisKiosk(headers) else {
            return .refuse(.forbidden, "forbidden: the Host header must name this kiosk, 127.0.0.1:\(port)")
        }
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        if let asset = KioskAsset(rawValue: path) {
            guard method == .GET || method == .HEAD else { return .refuse(.methodNotAllowed, "method not allowed: use GET", allow: "GET, HEAD") }
            return .asset(asset)
        }
        switch path {
        case "/events":
            guard method == .GET else { return .refuse(.methodNotAllowed, "method not allowed: use GET", allow: "GET") }
            if let refusal = tokenRefusal(headers) { return refusal }
            // Browsers say where a request comes from; a fetch from another site is refused even
            // if it somehow had the cookie.
            if let site = headers.first(name: "Sec-Fetch-Site"), site != "same-origin", site != "none" {
                return .refuse(.forbidden, "forbidden: the feed is for the kiosk page only (Sec-Fetch-Site \(site))")
            }
            return .events
        case "/key":
            guard method == .POST else { return .refuse(.methodNotAllowed, "method not allowed: use POST", allow: "POST") }
            guard let origin = headers.first(name: "Origin"), originIsThisKiosk(origin) else {
                return .refuse(.forbidden, "forbidden: keys are accepted from the kiosk page only (Origin http://127.0.0.1:\(port))")
            }
            if let refusal = tokenRefusal(headers) { return refusal }
            guard body.count <= Self.maximumBodyBytes else {
                return .refuse(.payloadTooLarge, "payload too large: send {\"key\": \"5\"}")
            }
            guard let key = Self.key(in: body) else {
                return .refuse(.badRequest, "bad request: send {\"key\": K} with K one of 0-9, enter, clear, back, menu")
            }
            return .key(key)
        default:
            return .refuse(.notFound, "not found: the kiosk serves /, /kiosk.css, /kiosk.js, /events and /key")
        }
    }

    /// The key named by a body `{"key": "5"}`, or nil.
    static func key(in body: [UInt8]) -> HardwareKey? {
        guard let fields = try? JSONDecoder().decode([String: String].self, from: Data(body)), fields.count == 1,
              let name = fields["key"] else { return nil }
        switch name {
        case "enter": return .enter
        case "clear": return .clear
        case "back": return .back
        case "menu": return .menu
        default:
            guard name.count == 1, let digit = name.first?.wholeNumberValue, name.first?.isASCII == true else { return nil }
            return .digit(UInt8(digit))
        }
    }

    private func tokenRefusal(_ headers: HTTPHeaders) -> Route? {
        let bearer = headers.first(name: "Authorization").flatMap { value -> Substring? in
            value.hasPrefix("Bearer ") ? value.dropFirst("Bearer ".count) : nil
        }
        // "Cookie: a=1; lockerd_kiosk=..." (pairs separated by "; ", in one header or several).
        let cookie = headers["Cookie"].lazy.flatMap { $0.split(separator: ";") }.compactMap { pair -> Substring? in
            let parts = pair.drop { $0 == " " }.split(separator: "=", maxSplits: 1)
            return parts.count == 2 && parts[0] == Self.cookieName ? parts[1] : nil
        }.first
        guard let presented = bearer ?? cookie else {
            return .refuse(.unauthorized, "unauthorized: this start's kiosk token is required (see kiosk.tokenPath)")
        }
        return KioskToken.matches(presented, token) ? nil
            : .refuse(.unauthorized, "unauthorized: not this start's kiosk token (lockerd draws a new one at each start)")
    }

    private var acceptedHosts: [String] { ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"] }

    private func hostIsThisKiosk(_ headers: HTTPHeaders) -> Bool {
        guard let host = headers.first(name: "Host")?.lowercased() else { return false }
        return acceptedHosts.contains(host)
    }

    private func originIsThisKiosk(_ origin: String) -> Bool {
        acceptedHosts.contains { "http://\($0)" == origin.lowercased() }
    }
}
