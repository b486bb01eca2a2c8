import LockerMaintenanceProtocol
import NIOCore

/// A connection that is not admitted (or finds every slot taken) is told why in one response
/// line and closed; nothing it sends is read.
final class MaintenanceRejectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let failure: MaintenanceFailure

    init(failure: MaintenanceFailure) {
        self.failure = failure
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { reject(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        reject(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func reject(context: ChannelHandlerContext) {
        let line = (try? MaintenanceProtocol.line(MaintenanceResponse.failure(failure, id: nil))) ?? ""
        var buffer = context.channel.allocator.buffer(capacity: line.utf8.count + 1)
        buffer.writeString(line)
        buffer.writeInteger(UInt8(ascii: "\n"))
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }
}
