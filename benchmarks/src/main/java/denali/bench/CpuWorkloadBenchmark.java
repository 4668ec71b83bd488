package denali.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import denali.isa.interp.Cpu;
import denali.isa.interp.CpuState;
import denali.isa.interp.ExitReason;
import denali.isa.loader.ElfImage;
import denali.isa.loader.LoadException;
import denali.isa.memory.GuestMemory;

/**
 * Guest instructions per second of the interpreter on the cpuwork guest
 * (CRC-32, quicksort, matrix multiply, string search, 64-bit arithmetic),
 * one VM on one thread. Each operation boots a fresh VM from the image (its
 * pages shared with the image, as every VM of one image would be) and runs it
 * to TERM; the score is milliseconds per run, and {@code run-cpu-bench.sh}
 * divides by the instruction count the run reports to give ns per instruction.
 *
 * <p>Run it with {@code benchmarks/run-cpu-bench.sh}: that gives the forks the
 * JVM options {@code ./yakima} runs guests with ({@code bin/jvm-options}, see
 * docs/decisions/0005-interpreter-dispatch.md). Without them the interpreter
 * is about 6% slower.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(2)
public class CpuWorkloadBenchmark {
    private static final int MEM = 1 << 20;
    private ElfImage image;
    private long insns;

    @Setup(Level.Trial)
    public void load() throws IOException, LoadException {
        try (InputStream in = CpuWorkloadBenchmark.class.getResourceAsStream("/images/cpuwork.elf")) {
            if (in == null) {
                throw new IOException("images/cpuwork.elf is not on the class path; build the services module first");
            }
            image = ElfImage.parse(in.readAllBytes(), MEM);
        }
    }

    @Benchmark
    public long cpuwork() {
        GuestMemory mem = new GuestMemory(MEM);
        image.mapInto(mem);
        Cpu cpu = new Cpu(mem);
        cpu.setEip(image.entry());
        cpu.setReg(CpuState.ESP, MEM);
        while (true) {
            ExitReason e = cpu.run(10_000_000);
            if (e == ExitReason.HYPERCALL) {
                cpu.setReg(CpuState.EAX, cpu.reg(CpuState.ECX)); // console output accepted and dropped
            } else if (e != ExitReason.BUDGET) {
                if (e != ExitReason.TERMINATE || cpu.exitCode() != 0) {
                    throw new IllegalStateException("cpuwork did not finish cleanly: " + e
                            + (cpu.fault() != null ? " " + cpu.fault().describe() : ""));
                }
                insns = cpu.insnCount();
                return insns;
            }
        }
    }

    @TearDown(Level.Trial)
    public void report() {
        System.out.println();
        System.out.println("guest-instructions-per-run: " + insns);
    }
}
