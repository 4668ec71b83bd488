package yakima.host;

import java.util.Objects;

/**
 * What to create a VM from: the image (a built-in name or a path), its
 * memory, an optional name (null: the host names it by its id) and an
 * optional disk (null: no disk). Yakima assigns the MAC and IPv4 address.
 */
public record VmSpec(String image, int memSizeBytes, String name, DiskSpec disk) {
    public VmSpec {
        Objects.requireNonNull(image, "image");
    }
}
