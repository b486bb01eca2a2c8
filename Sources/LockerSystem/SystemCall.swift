#if canImport(Glibc)
import Glibc
#endif

/// The one loop every wrapper here runs a raw call in: retries EINTR (a signal arriving is not a
/// failure) and turns a negative result into a `SystemCallError` naming the call and the path.
public enum SystemCall {
    @discardableResult
    public static func run(_ call: String, path: String, _ body: () -> Int) throws(SystemCallError) -> Int {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw SystemCallError(call: call, path: path, code: code)
        }
    }
}
