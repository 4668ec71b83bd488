package yakima.gateway.tcp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import yakima.gateway.tcp.GuestConnection.CloseReason;

/**
 * A {@link GuestConnection.Handler} for tests: keeps every byte received, the
 * order of the callbacks, and consumes what it receives unless told not to.
 */
final class Recorder implements GuestConnection.Handler {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final List<String> events = new ArrayList<>();
    boolean autoConsume = true;
    boolean connected;
    boolean peerClosed;
    CloseReason closed;
    int closedCalls;
    int sendSpaceCalls;
    /** Something to run inside received(), e.g. an abort. */
    Runnable onReceived;

    @Override
    public void connected(GuestConnection c) {
        check();
        connected = true;
        events.add("connected");
    }

    @Override
    public void received(GuestConnection c, byte[] data, int offset, int length) {
        check();
        bytes.write(data, offset, length);
        if (autoConsume) {
            c.consumed(length);
        }
        if (onReceived != null) {
            onReceived.run();
        }
    }

    @Override
    public void sendSpace(GuestConnection c) {
        check();
        sendSpaceCalls++;
    }

    @Override
    public void peerClosed(GuestConnection c) {
        check();
        peerClosed = true;
        events.add("peerClosed");
    }

    @Override
    public void closed(GuestConnection c, CloseReason reason) {
        check();
        closedCalls++;
        closed = reason;
        events.add("closed " + reason);
    }

    /** No callback after closed(). */
    private void check() {
        if (closed != null) {
            throw new AssertionError("a callback after closed(" + closed + ")");
        }
    }

    int received() {
        return bytes.size();
    }

    byte[] data() {
        return bytes.toByteArray();
    }
}
