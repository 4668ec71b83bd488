package yakima.admin;

/**
 * A refusal from the admin API, with the HTTP status it is answered with and a
 * one-line message for a person ({@code "no VM named vm-7"}). The backend
 * throws it; {@link AdminServer} sends it as {@code {"error": message}};
 * {@link AdminClient} rebuilds it from such an answer.
 *
 * <p>Statuses in use: 400 bad request, 404 no such VM or image, 409 illegal
 * state transition or name taken, 413 request body too large, 503 over the
 * resident-memory budget (try again later). A status outside 400..599 is sent
 * as 500, since it would otherwise read as success.
 */
public final class AdminException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;

    public AdminException(int httpStatus, String message) {
        super(message);
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public static AdminException badRequest(String message) {
        return new AdminException(400, message);
    }

    public static AdminException notFound(String message) {
        return new AdminException(404, message);
    }

    public static AdminException conflict(String message) {
        return new AdminException(409, message);
    }

    public static AdminException unavailable(String message) {
        return new AdminException(503, message);
    }
}
