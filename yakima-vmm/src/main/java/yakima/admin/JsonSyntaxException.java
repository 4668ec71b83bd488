package yakima.admin;

/**
 * Text that is not JSON, or not the JSON that was expected. The message is one
 * line for a person and names the character offset where parsing stopped
 * ({@code "expected ':' at offset 7"}).
 */
public final class JsonSyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    public JsonSyntaxException(String message) {
        super(message);
    }
}
