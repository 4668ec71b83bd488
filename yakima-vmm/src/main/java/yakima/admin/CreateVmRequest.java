package yakima.admin;

import java.util.Objects;

import yakima.vm.MemorySize;

/**
 * {@code POST /v1/vms}, parsed and checked: which image to boot, how much
 * memory (bytes, already a valid VM size: a multiple of 4096 within the ABI's
 * limits), and an optional name ({@code null}: the host names the VM by its
 * id). The server builds it on an admin thread; the host only reads it.
 */
public record CreateVmRequest(String image, long memSizeBytes, String name) {
    public CreateVmRequest {
        Objects.requireNonNull(image, "image");
        MemorySize.check(memSizeBytes);
    }
}
