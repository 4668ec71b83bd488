package yakima.bench;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

import denali.isa.memory.GuestMemory;
import yakima.host.Host;
import yakima.swap.VmImage;
import yakima.vm.ImageResolver;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * A guest booted and left to settle, for measurements that need the pages
 * of a real idle VM: one VM (vm-1) on a host whose clock is a counter, and
 * optionally clients after it (vm-2...) that talk to it and end; the
 * host's scheduler thread and virtual switch are turned by hand (as the
 * tests' {@code HandTurnedHost} does) for {@link #SETTLE_TURNS} turns of
 * 10 ms and then {@link #QUIET_TURNS} of 1 s, so that the clients have
 * finished, whatever the guest does on timers afterwards (TCP's TIME_WAIT
 * is 60 s) has been done, and its memory is what it holds while it waits
 * for work.
 */
final class IdleGuest implements AutoCloseable {
    /** 20 s of virtual time in 10 ms steps: what GuestServicesTest lets an httpd settle for. */
    static final int SETTLE_TURNS = 2_000;
    /** Then 100 s in 1 s steps: past TCP's TIME_WAIT. */
    static final int QUIET_TURNS = 100;

    private final Host host;
    private final Vm vm;
    private long nowNs;

    /**
     * Boots {@code image} with {@code memBytes} of memory, then each of
     * {@code clients} (same memory), and lets them run; refuses a guest that
     * is not IDLE at the end, or a client that has not exited with 0.
     */
    IdleGuest(String image, int memBytes, String... clients) throws Exception {
        host = BenchHosts.newHost(1 + clients.length, () -> nowNs);
        vm = host.create(image, memBytes, null);
        List<Vm> others = new ArrayList<>();
        for (String c : clients) {
            others.add(host.create(c, memBytes, null));
        }
        turns(SETTLE_TURNS, 10_000_000);
        turns(QUIET_TURNS, 1_000_000_000);
        if (vm.state() != VmState.IDLE) {
            throw new IllegalStateException(image + " is " + vm.state() + " after settling, not IDLE");
        }
        for (Vm c : others) {
            if (c.state() != VmState.TERMINATED || c.exitCode() != 0) {
                throw new IllegalStateException(c.imageName() + " did not finish well: " + c.state() + ", exit "
                        + c.exitCode() + ", " + c.faultReason());
            }
        }
    }

    private void turns(int n, long stepNs) {
        for (int i = 0; i < n; i++) {
            host.scheduler().thread(0).doWork();
            host.lan().doWork();
            nowNs += stepNs;
        }
    }

    Vm vm() {
        return vm;
    }

    /** The host's clock now (ns). */
    long nowNs() {
        return nowNs;
    }

    /** The numbers of the VM's private pages other than page 0, ascending. */
    int[] privatePageNumbers() {
        GuestMemory mem = vm.memory();
        List<Integer> numbers = new ArrayList<>();
        for (int p = 1; p < mem.pageCount(); p++) {
            if (mem.isPrivatePage(p)) {
                numbers.add(p);
            }
        }
        return numbers.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Page {@code p}'s words, as the guest sees them. */
    int[] pageWords(int p) {
        byte[] bytes = new byte[GuestMemory.PAGE_SIZE];
        vm.memory().readBytes(p << GuestMemory.PAGE_SHIFT, bytes, 0, bytes.length);
        int[] words = new int[GuestMemory.PAGE_WORDS];
        for (int i = 0; i < words.length; i++) {
            words[i] = (bytes[4 * i] & 0xFF) | (bytes[4 * i + 1] & 0xFF) << 8 | (bytes[4 * i + 2] & 0xFF) << 16
                    | (bytes[4 * i + 3] & 0xFF) << 24;
        }
        return words;
    }

    /**
     * The VM as a record holds it, near enough for its size and the time to
     * write and read it: registers, counters, console tail and every private
     * page, as a capture takes them; no frames wait (the guest is idle), no disk.
     */
    VmImage image() throws Exception {
        int[] numbers = privatePageNumbers();
        int[][] pages = new int[numbers.length][];
        for (int i = 0; i < numbers.length; i++) {
            pages[i] = pageWords(numbers[i]);
        }
        int[] regs = new int[8];
        for (int r = 0; r < regs.length; r++) {
            regs[r] = vm.reg(r);
        }
        byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest(new ImageResolver().resolve(vm.imageName()).bytes());
        return new VmImage(vm.id(), vm.name(), vm.imageName(), digest, vm.memSizeBytes(), vm.mac(), vm.ipv4(), regs,
                vm.eip(), vm.flags(), vm.insns(), true, vm.vmTimeNs(nowNs), -1, 0,
                new VmImage.Counters(vm.quanta(), vm.yields(), vm.wakes(), vm.hypercallCount()),
                vm.virtualRegisters().clone(), numbers, pages, List.of(), null, vm.console().tail());
    }

    @Override
    public void close() {
        host.close();
    }
}
