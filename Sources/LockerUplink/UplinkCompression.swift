import CompressNIO
public import Foundation
import NIOCore

/// gzip for upload bodies (RFC 1952, through zlib), and its inverse for servers and tests.
public enum UplinkCompression {
    public static func gzip(_ data: Data) throws -> Data {
        var buffer = ByteBuffer(bytes: data)
        let compressed = try buffer.compress(with: .gzip())
        return Data(compressed.readableBytesView)
    }

    public static func gunzip(_ data: Data) throws -> Data {
        var buffer = ByteBuffer(bytes: data)
        // Bounded: a small body must not inflate into all of memory.
        let plain = try buffer.decompress(with: .gzip(), maxSize: 64 << 20)
        return Data(plain.readableBytesView)
    }
}
