package syslens.server.ingest;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import syslens.agent.v1.AgentMessage;

/**
 * An agent message as it came off the wire, not yet parsed: ~10x smaller in the heap than the
 * parsed protobuf objects (a 200-series batch), so a message waiting for the {@link
 * IngestBudget} costs its bytes only.
 */
record WireMessage(byte[] bytes) {
  /** gRPC's marshaller for the agent stream's requests: copies the message's bytes, parses nothing. */
  static final MethodDescriptor.Marshaller<WireMessage> MARSHALLER = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(WireMessage value) {
      return new ByteArrayInputStream(value.bytes());
    }

    @Override
    public WireMessage parse(InputStream stream) {
      try {
        return new WireMessage(stream.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  static final StreamInbox.Decoder<WireMessage, AgentMessage> DECODER = new StreamInbox.Decoder<>() {
    @Override
    public AgentMessage decode(WireMessage wire) throws IOException {
      return AgentMessage.parseFrom(wire.bytes());
    }

    @Override
    public int wireBytes(WireMessage wire) {
      return wire.bytes().length;
    }
  };
}
