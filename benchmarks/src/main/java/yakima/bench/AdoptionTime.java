package yakima.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.CRC32C;

import yakima.host.Adoption;
import yakima.host.Host;
import yakima.swap.RecordWriter;
import yakima.swap.SwapStore;
import yakima.swap.VmImage;

/**
 * How long a host takes to start on a swap store that holds N VMs
 * ({@code benchmarks/run-adoption.sh}; the figures are in docs/swap.md):
 * fills a store directory with N records of a real idle {@code httpd}
 * (see {@link IdleGuest}; each with its own id, as swap-outs would leave
 * them), then times, a few times over, opening the store
 * ({@link SwapStore#open}: the listing and a {@code stat} per record) and
 * enabling swapping on a new host ({@link Host#enableSwap}: the listing
 * again, every record read and summarized, a stub each). It also reports
 * the heap the adopted stubs take.
 *
 * <p>The files are written directly, in the store's layout and file
 * format, without the store's two {@code fsync}s per record (a million
 * of them would take a quarter of an hour), then flushed once; they are
 * read back from a warm page cache. A cold cache adds a disk read per
 * record, which depends on the disk.
 *
 * <p>Usage: {@code AdoptionTime DIR N [RUNS]}; an existing DIR holding
 * exactly N records is reused.
 */
public final class AdoptionTime {
    private AdoptionTime() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: AdoptionTime DIR N [RUNS]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        fill(dir, n);
        System.out.printf(Locale.ROOT, "%,d records in %s; %d processors (reader threads: 2 per processor, up to 8)%n", n,
                dir, Runtime.getRuntime().availableProcessors());
        for (int run = 1; run <= runs; run++) {
            Host host = BenchHosts.newHost(Math.max(n, 1));
            long heapBefore = BenchHosts.usedHeapAfterGc(); // the host's own tables are not the stubs'
            long t0 = System.nanoTime();
            SwapStore store = SwapStore.open(dir, 1L << 40);
            long t1 = System.nanoTime();
            host.enableSwap(store);
            long t2 = System.nanoTime();
            Adoption a = host.adoption();
            long heapAfter = BenchHosts.usedHeapAfterGc();
            if (a.vms() != n || a.faulted() != 0) {
                throw new IllegalStateException("adopted " + a);
            }
            System.out.printf(Locale.ROOT,
                    "run %d: open %.2f s (%.2f us/record), adopt %.2f s (%.2f us/record), together %.2f s; heap +%.1f MB (%.0f bytes/VM)%n",
                    run, (t1 - t0) / 1e9, (t1 - t0) / 1e3 / n, (t2 - t1) / 1e9, (t2 - t1) / 1e3 / n, (t2 - t0) / 1e9,
                    (heapAfter - heapBefore) / 1e6, (heapAfter - heapBefore) / (double) n);
            host.close();
        }
    }

    /** Writes N records (ids 1..N) into {@code dir} in the store's layout, unless it holds them already. */
    private static void fill(Path dir, int n) throws Exception {
        Path last = file(dir, n);
        if (Files.exists(last) && !Files.exists(file(dir, n + 1))) {
            return;
        }
        VmImage idle;
        try (IdleGuest guest = new IdleGuest("httpd", 8 << 20)) {
            idle = guest.image();
        }
        long t0 = System.nanoTime();
        for (int id = 1; id <= n; id++) {
            VmImage image = new VmImage(id, idle.name(), idle.imageName(), idle.imageDigest(), idle.memSizeBytes(),
                    idle.mac(), idle.ipv4(), idle.regs(), idle.eip(), idle.flags(), idle.insns(), idle.idle(),
                    idle.vmTimeNs(), idle.idleDeadlineVmNs(), idle.raised(), idle.counters(), idle.vregs(),
                    idle.pageNumbers(), idle.pages(), idle.rxFrames(), idle.disk(), idle.consoleTail());
            byte[] record = RecordWriter.write(image);
            Path f = file(dir, id);
            if (id % 4096 == 0 || id == 1) {
                Files.createDirectories(f.getParent());
            }
            Files.write(f, withHeader(id, record));
            if (id % 100_000 == 0) {
                System.out.printf(Locale.ROOT, "written %,d records (%.0f s)%n", id, (System.nanoTime() - t0) / 1e9);
            }
        }
        new ProcessBuilder("sync").inheritIO().start().waitFor();
    }

    /** VM {@code id}'s record file, as docs/swap-store.md lays it out. */
    private static Path file(Path dir, int id) {
        return dir.resolve(String.format("%05x", id >>> 12)).resolve("vm-" + id + ".rec");
    }

    /** The store's 24-byte file header (docs/swap-store.md, "Record file"), then the record. */
    private static byte[] withHeader(int id, byte[] record) {
        ByteBuffer b = ByteBuffer.allocate(24 + record.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt('Y' | 'K' << 8 | 'S' << 16 | 'R' << 24).putInt(1).putInt(id).putInt(record.length).putInt(crc(record, 0,
                record.length));
        b.putInt(crc(b.array(), 0, 20));
        b.put(record);
        return b.array();
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(bytes, offset, length);
        return (int) c.getValue();
    }
}
