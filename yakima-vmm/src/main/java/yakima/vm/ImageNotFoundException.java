package yakima.vm;

/** An image argument that names neither a file nor a built-in image; the message is one line for the user. */
public final class ImageNotFoundException extends Exception {
    public ImageNotFoundException(String message) {
        super(message);
    }
}
