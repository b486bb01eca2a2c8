/// One latch channel of one lock board (channels are numbered from 1, as printed on the boards).
public struct BoardChannel: Sendable, Hashable {
    public var board: Int
    public var channel: Int

    public init(board: Int, channel: Int) {
        self.board = board
        self.channel = channel
    }
}
