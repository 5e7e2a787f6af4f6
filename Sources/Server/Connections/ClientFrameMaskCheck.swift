import NIOCore

/// Closes a WebSocket whose client sends an unmasked frame, as RFC 6455 §5.1 requires (close
/// 1002, protocol error). NIO's frame decoder accepts such frames and the WebSocket library
/// unmasks what it is given without asking, so this handler reads the frame headers in the
/// bytes themselves. It is put first in the pipeline when a route agrees to upgrade, so it sees
/// every byte the client sends after its upgrade request; it forwards them all unchanged.
final class ClientFrameMaskCheck: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Bytes of the current frame's header read so far (at most 14), or the payload left to skip.
    private var header: [UInt8] = []
    private var payloadLeft: UInt64 = 0
    private var failed = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let buffer = unwrapInboundIn(data)
        if !check(buffer.readableBytesView) {
            failed = true
            // A close frame with code 1002, then the connection ends.
            let close = context.channel.allocator.buffer(bytes: [0x88, 0x02, 0x03, 0xEA])
            context.writeAndFlush(NIOAny(close)).whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.fireChannelRead(data)
    }

    /// Walks the frames in `bytes`; false at the first frame without a mask.
    private func check(_ bytes: ByteBufferView) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if payloadLeft > 0 {
                let skip = UInt64(bytes.endIndex - index)
                if skip <= payloadLeft {
                    payloadLeft -= skip
                    return true
                }
                index += Int(payloadLeft)
                payloadLeft = 0
                continue
            }
            header.append(bytes[index])
            index += 1
            guard header.count >= 2 else { continue }
            guard header[1] & 0x80 != 0 else { return false }
            let lengthBytes: Int
            switch header[1] & 0x7F {
            case 126: lengthBytes = 2
            case 127: lengthBytes = 8
            default: lengthBytes = 0
            }
            guard header.count == 2 + lengthBytes + 4 else { continue }
            payloadLeft = lengthBytes == 0 ? UInt64(header[1] & 0x7F) : header[2..<(2 + lengthBytes)].reduce(0) { $0 << 8 | UInt64($1) }
            header.removeAll(keepingCapacity: true)
        }
        return true
    }
}
