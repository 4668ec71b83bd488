package yakima.vm;

import static denali.isa.spec.DenaliAbi.HC_CONSOLE_WRITE;
import static denali.isa.spec.DenaliAbi.OP_HCALL;
import static denali.isa.spec.DenaliAbi.OP_IDLE;
import static denali.isa.spec.DenaliAbi.OP_TERM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yakima.vm.TinyElf.concat;
import static yakima.vm.TinyElf.movEax;
import static yakima.vm.TinyElf.movEbx;
import static yakima.vm.TinyElf.movEcx;
import static yakima.vm.TinyElf.movEdx;
import static yakima.vm.TinyElf.op;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import yakima.cli.CliStreams;
import yakima.cli.YakimaCli;

/**
 * {@code yakima run} end to end, through the real interpreter: the built-in
 * hello image, and hand-assembled programs that pin down the runner's
 * contract (hypercall results in EAX, exit codes, faults, idling, limits,
 * the boot state).
 */
class RunHelloTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream guest = new ByteArrayOutputStream();
    private final StringWriter err = new StringWriter();

    private int yakima(String... args) {
        CliStreams io = new CliStreams(guest, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        return YakimaCli.commandLine(io, new ImageResolver()).execute(args);
    }

    private String image(byte[] code, byte[] data) throws IOException {
        Path f = tmp.resolve("prog.elf");
        Files.write(f, TinyElf.of(code, data));
        return f.toString();
    }

    private static byte[] term(int code) {
        return concat(movEbx(code), op(OP_TERM));
    }

    @Test
    void helloGreetsAndExitsZero() {
        assertEquals(0, yakima("run", "hello"), err.toString());
        assertTrue(guest.toString(StandardCharsets.UTF_8).contains("hello from denali"), guest.toString(StandardCharsets.UTF_8));
    }

    @Test
    void cpuworkExitsZero() {
        assertEquals(0, yakima("run", "cpuwork"), err.toString());
    }

    @Test
    void consoleWriteThenTerminateWithACode() throws IOException {
        byte[] msg = "hi there\n".getBytes(StandardCharsets.US_ASCII);
        // The message follows the code; the code's length does not depend on the address, so a first draft measures it.
        byte[] draft = concat(movEax(HC_CONSOLE_WRITE), movEbx(0), movEcx(msg.length), op(OP_HCALL), term(7));
        byte[] code = concat(movEax(HC_CONSOLE_WRITE), movEbx(TinyElf.dataAddress(draft)), movEcx(msg.length), op(OP_HCALL), term(7));
        assertEquals(7, yakima("run", image(code, msg)), err.toString());
        assertEquals("hi there\n", guest.toString(StandardCharsets.US_ASCII));
        assertEquals("", err.toString());
    }

    @Test
    void aHypercallResultLandsInEax() throws IOException {
        // console write of a buffer outside memory -> -EFAULT in EAX; exit with it (low 8 bits: 256 - 14)
        byte[] code = concat(movEax(HC_CONSOLE_WRITE), movEbx(0xFFFFFFF0), movEcx(16), op(OP_HCALL),
                new byte[] {(byte) 0x89, (byte) 0xC3}, op(OP_TERM)); // mov %eax,%ebx
        assertEquals(256 - 14, yakima("run", image(code, new byte[0])));
        assertEquals(0, guest.size());
    }

    @Test
    void bootStateStackAtTopOfMemoryAndVirtualRegisters() throws IOException {
        byte[] espHigh = concat(new byte[] {(byte) 0x89, (byte) 0xE3, (byte) 0xC1, (byte) 0xEB, 0x10}, op(OP_TERM)); // mov %esp,%ebx; shr $16,%ebx
        assertEquals(0x10, yakima("run", image(espHigh, new byte[0]), "--mem", "1m"));
        assertEquals(0x20, yakima("run", image(espHigh, new byte[0]), "--mem", "2m"));
        byte[] magic = concat(new byte[] {(byte) 0x8B, 0x1D, 0, 0, 0, 0}, op(OP_TERM)); // mov 0x0,%ebx
        assertEquals(0x44, yakima("run", image(magic, new byte[0]))); // 'D' of "DNLI"
    }

    @Test
    void anInvalidInstructionIsAFault() throws IOException {
        String img = image(op(0x0B), new byte[0]); // ud2
        assertEquals(125, yakima("run", img));
        assertTrue(err.toString().startsWith("prog.elf: invalid instruction at eip 0x00001000"), err.toString());
    }

    @Test
    void idlingForeverWithNothingToWakeItIsStuck() throws IOException {
        byte[] code = concat(movEax(-1), movEdx(-1), op(OP_IDLE), term(0));
        assertEquals(124, yakima("run", image(code, new byte[0])));
        assertTrue(err.toString().contains("the VM is stuck"), err.toString());
    }

    @Test
    void idlingUntilAPastDeadlineContinuesAtOnce() throws IOException {
        byte[] code = concat(movEax(1), movEdx(0), op(OP_IDLE), term(5));
        assertEquals(5, yakima("run", image(code, new byte[0])));
    }

    @Test
    void theInstructionLimitStopsALoop() throws IOException {
        byte[] code = {(byte) 0xEB, (byte) 0xFE}; // jmp .
        assertEquals(124, yakima("run", image(code, new byte[0]), "--max-insns", "100000"));
        assertTrue(err.toString().contains("stopped after 100000 instructions"), err.toString());
    }
}
