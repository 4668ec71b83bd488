package yakima.admin;

import java.util.Objects;

import yakima.vm.MemorySize;

/**
 * {@code POST /v1/vms}, parsed and checked: which image to boot, how much
 * memory (bytes, already a valid VM size: a multiple of 4096 within the ABI's
 * limits), an optional name ({@code null}: the host names the VM by its
 * id), and an optional disk. The server builds it on an admin thread; the
 * host only reads it.
 *
 * @param disk          the VM's disk file on the host, or {@code null} for no disk
 * @param diskSizeBytes size of the disk if the file must be created (a multiple of 4096), 0 if it must exist
 * @param diskBase      a read-only base disk: {@code disk} is then the VM's copy-on-write overlay over it; or {@code null}
 */
public record CreateVmRequest(String image, long memSizeBytes, String name, String disk, long diskSizeBytes,
        String diskBase) {
    public CreateVmRequest {
        Objects.requireNonNull(image, "image");
        MemorySize.check(memSizeBytes);
        if (diskSizeBytes < 0 || diskSizeBytes % 4096 != 0) {
            throw new IllegalArgumentException("a disk's size must be a multiple of 4096 bytes, not " + diskSizeBytes);
        }
        if (disk == null && (diskSizeBytes != 0 || diskBase != null)) {
            throw new IllegalArgumentException("\"diskSize\" and \"diskBase\" need \"disk\": the VM's disk file");
        }
    }

    /** A VM without a disk. */
    public CreateVmRequest(String image, long memSizeBytes, String name) {
        this(image, memSizeBytes, name, null, 0, null);
    }
}
