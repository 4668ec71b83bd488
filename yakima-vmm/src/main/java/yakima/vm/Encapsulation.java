package yakima.vm;

import java.util.ArrayList;
import java.util.List;

import denali.isa.loader.ElfImage;
import denali.isa.memory.GuestMemory;
import yakima.swap.VmImage;

/**
 * A VM to its {@link VmImage} and back: the two ends of a swap and of a
 * snapshot. Capturing reads the VM's registers, counters and private pages
 * (the page arrays themselves, not copies: the VM no longer runs); restoring
 * builds a new {@link Vm} from an image, with the image's pages shared again
 * and the private pages laid over them.
 *
 * <p>Threading: capture once the VM's owner has let go of it (it is
 * SWAPPED: off its scheduler thread, and handed over through a queue, which
 * orders its last quantum's writes before these reads) and its NIC has left
 * the LAN. Restore on any thread; the new VM belongs to that thread until it
 * is admitted.
 */
public final class Encapsulation {
    private Encapsulation() {
    }

    /**
     * Everything {@code vm} is, as of now.
     *
     * @param imageDigest SHA-256 of its image file, so a restore can check it maps the same pages
     * @param rxFrames    the frames that were waiting in its NIC (drained once it left the LAN)
     * @param disk        its disk's description, or null
     * @param nowNs       the scheduler clock: the VM's own clock is saved as of then
     */
    public static VmImage capture(Vm vm, byte[] imageDigest, List<byte[]> rxFrames, VmImage.Disk disk, long nowNs) {
        int[] regs = new int[8];
        for (int n = 0; n < 8; n++) {
            regs[n] = vm.reg(n);
        }
        GuestMemory mem = vm.memory();
        List<int[]> pages = new ArrayList<>();
        int[] numbers = new int[mem.pageCount()];
        int count = 0;
        for (int p = 1; p < mem.pageCount(); p++) {
            int[] words = mem.privatePageWords(p);
            if (words != null) {
                numbers[count++] = p;
                pages.add(words);
            }
        }
        boolean idle = vm.resumesIdle();
        long deadline = idle && vm.idleUntilNs != Vm.NO_DEADLINE ? Math.max(0, vm.idleUntilNs - vm.bootNs()) : -1;
        VmImage.Counters counters = new VmImage.Counters(vm.quanta(), vm.yields(), vm.wakes(), vm.hypercalls().calls());
        return new VmImage(vm.id(), vm.name(), vm.imageName(), imageDigest, vm.memSizeBytes(), vm.mac(), vm.ipv4(), regs,
                vm.eip(), vm.flags(), vm.insnCount(), idle, vm.vmTimeNs(nowNs), deadline, vm.raisedBits(), counters,
                vm.virtualRegisters(), java.util.Arrays.copyOf(numbers, count), pages.toArray(new int[0][]), rxFrames,
                disk, vm.console().tail());
    }

    /**
     * A new VM from {@code saved}, WAITING for admission, with its own id,
     * name and addresses (those of the VM saved, for a swap-in; new ones for
     * a clone of a snapshot). Its NIC and disk are attached by the caller.
     *
     * @param image  the parsed image the VM was made from (the caller checked its digest)
     * @param bootNs the scheduler time its clock counts from: the saved VM's own for a swap-in
     *               (its clock ran on while it was away), now minus the saved clock for a restore
     */
    public static Vm restore(VmImage saved, int id, String name, ElfImage image, long mac, int ipv4, long bootNs,
            RateLimitedConsole console) {
        return new Vm(saved, id, name, image, mac, ipv4, bootNs, console);
    }
}
