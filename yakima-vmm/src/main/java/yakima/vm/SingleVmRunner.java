package yakima.vm;

import java.io.PrintWriter;

import denali.isa.interp.Cpu;
import denali.isa.interp.CpuState;
import denali.isa.interp.ExitReason;
import denali.isa.loader.ElfImage;
import denali.isa.memory.GuestMemory;
import denali.isa.spec.DenaliAbi;

/**
 * Runs one VM to its end on the calling thread: the minimal monitor behind
 * {@code yakima run}, before the scheduler exists.
 *
 * <p>Boot: fresh memory of the chosen size, the image mapped in as shared
 * pages, the virtual registers filled in (console present, nothing else),
 * ESP = memory size (the stack grows down from the top), EIP = entry.
 *
 * <p>Loop: refresh the clock registers, {@code cpu.run(quantum)}, then act on
 * why it stopped:
 * <ul>
 *   <li>BUDGET: go round again (or stop at --max-insns);</li>
 *   <li>HYPERCALL: {@link HypercallDispatcher}, result to EAX, clock refreshed;</li>
 *   <li>IDLE: wait until the deadline in virtual time, which here is host
 *       monotonic time since boot; no deadline means "until an interrupt",
 *       and a lone foreground VM has no interrupt sources, so that is
 *       reported as {@link RunResult.Outcome#STUCK};</li>
 *   <li>TERMINATE, FAULT: the VM is finished.</li>
 * </ul>
 * No interrupts are raised by this runner: waking from IDLE just continues
 * after the IDLE instruction.
 *
 * <p>Threading: single-threaded; everything belongs to the calling thread.
 */
public final class SingleVmRunner {
    /** Devices a foreground VM has: a console only. */
    public static final int DEVICES = DenaliAbi.DEV_CONSOLE;

    private final ElfImage image;
    private final RunOptions options;
    private final ConsoleSink console;
    private final VmClock clock;
    private final Idler idler;
    private final PrintWriter traceOut;

    /** {@code traceOut} receives the trace when {@code options.trace()}; it may be null otherwise. */
    public SingleVmRunner(ElfImage image, RunOptions options, ConsoleSink console, VmClock clock, Idler idler, PrintWriter traceOut) {
        this.image = image;
        this.options = options;
        this.console = console;
        this.clock = clock;
        this.idler = idler;
        this.traceOut = traceOut;
    }

    public RunResult run() {
        GuestMemory mem = new GuestMemory(options.memSizeBytes());
        image.mapInto(mem);
        VirtualRegisters.initialise(mem, options.insnRatePerUs(), DEVICES);
        HypercallDispatcher hypercalls = new HypercallDispatcher(console, DEVICES);
        Cpu cpu = new Cpu(mem);
        cpu.setReg(CpuState.ESP, options.memSizeBytes());
        cpu.setEip(image.entry());
        if (options.trace()) {
            cpu.setTracer(this::trace);
        }
        try {
            return loop(cpu, mem, hypercalls);
        } finally {
            console.flush();
            if (traceOut != null) {
                traceOut.flush();
            }
        }
    }

    private RunResult loop(Cpu cpu, GuestMemory mem, HypercallDispatcher hypercalls) {
        while (true) {
            long budget = options.quantumInsns();
            if (options.maxInsns() > 0) {
                long left = options.maxInsns() - cpu.insnCount();
                if (left <= 0) {
                    return result(RunResult.Outcome.INSN_LIMIT, cpu, 0);
                }
                budget = Math.min(budget, left);
            }
            VirtualRegisters.updateClock(mem, clock.nowNs(), cpu.insnCount());
            // as a quantum starts in yakima host: what the guest left pending (Ilwaco arms its own
            // preemption tick in INT_PENDING) is delivered, so a spinning thread cannot hang the run
            cpu.deliverInterrupts();
            ExitReason why = cpu.run(budget);
            switch (why) {
                case BUDGET -> {
                }
                case HYPERCALL -> {
                    int result = hypercalls.dispatch(mem, cpu.reg(CpuState.EAX), cpu.reg(CpuState.EBX), cpu.reg(CpuState.ECX),
                            cpu.reg(CpuState.EDX), cpu.reg(CpuState.ESI), cpu.reg(CpuState.EDI));
                    cpu.setReg(CpuState.EAX, result);
                    VirtualRegisters.updateClock(mem, clock.nowNs(), cpu.insnCount());
                }
                case IDLE -> {
                    long deadline = cpu.idleDeadlineNs();
                    if (deadline < 0) {
                        return result(RunResult.Outcome.STUCK, cpu, 0);
                    }
                    console.flush(); // whatever the guest said before it sleeps should be visible now
                    idler.idleUntil(clock, deadline);
                }
                case TERMINATE -> {
                    return result(RunResult.Outcome.TERMINATED, cpu, cpu.exitCode());
                }
                case FAULT -> {
                    return new RunResult(RunResult.Outcome.FAULTED, 0, cpu.fault(), cpu.eip(), cpu.insnCount());
                }
            }
        }
    }

    private static RunResult result(RunResult.Outcome outcome, Cpu cpu, int exitCode) {
        return new RunResult(outcome, exitCode, null, cpu.eip(), cpu.insnCount());
    }

    private void trace(int eip, String disassembly, Cpu cpu) {
        traceOut.printf("%08x: %-36s eax=%08x ecx=%08x edx=%08x ebx=%08x esp=%08x ebp=%08x esi=%08x edi=%08x%n",
                eip, disassembly, cpu.reg(0), cpu.reg(1), cpu.reg(2), cpu.reg(3), cpu.reg(4), cpu.reg(5), cpu.reg(6), cpu.reg(7));
    }
}
