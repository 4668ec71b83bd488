package yakima.admin;

import java.io.IOException;

/**
 * A request's body, read only by the routes that take one ({@code POST
 * /v1/vms}, {@code POST /v1/vms/restore}), so that a GET with a stray body
 * costs nothing. {@link AdminHandler} supplies it. At most one of the two
 * methods is called, once.
 */
interface RequestBody {
    /**
     * The body as strict UTF-8, at most {@link AdminServer#MAX_BODY_BYTES}
     * bytes (a JSON request).
     *
     * @throws AdminException 413 the body is too large, 400 it is not UTF-8
     * @throws IOException    the connection failed while reading
     */
    String read() throws AdminException, IOException;

    /**
     * The body's bytes, at most {@code limit} of them (a snapshot's record).
     *
     * @throws AdminException 413 the body is larger than {@code limit}
     * @throws IOException    the connection failed while reading
     */
    byte[] readBytes(int limit) throws AdminException, IOException;
}
