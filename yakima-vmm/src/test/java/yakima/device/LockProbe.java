package yakima.device;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link VirtualDiskTest}: tries to open the disk named by
 * its argument, as a second Yakima process would, and reports what happened.
 * Exit 0 and "opened" when it could; exit 3 and the error's message when refused.
 */
public final class LockProbe {
    private LockProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (VirtualDisk d = VirtualDisk.open(Path.of(args[0]))) {
            System.out.println("opened " + d.sizeBlocks());
        } catch (DiskException e) {
            System.out.println(e.getMessage());
            System.exit(3);
        }
    }
}
