package yakima.admin;

import java.io.IOException;

/**
 * A request's body, read only by the routes that take one ({@code POST
 * /v1/vms}), so that a GET with a stray body costs nothing. {@link AdminHandler}
 * supplies it: read at most {@link AdminServer#MAX_BODY_BYTES}, decoded as
 * strict UTF-8.
 */
@FunctionalInterface
interface RequestBody {
    /**
     * @throws AdminException 413 the body is too large, 400 it is not UTF-8
     * @throws IOException    the connection failed while reading
     */
    String read() throws AdminException, IOException;
}
