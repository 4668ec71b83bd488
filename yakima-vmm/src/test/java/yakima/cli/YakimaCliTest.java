package yakima.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import yakima.vm.ImageResolver;
import yakima.vm.TinyElf;

/** The command line without the interpreter: parsing, refusals, exit codes, messages. */
class YakimaCliTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream guest = new ByteArrayOutputStream();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int yakima(String... args) {
        CliStreams io = new CliStreams(guest, new PrintWriter(out, true), new PrintWriter(err, true));
        ImageResolver noImages = new ImageResolver(new URLClassLoader(new URL[0], null));
        return YakimaCli.commandLine(io, noImages).execute(args);
    }

    private List<String> errLines() {
        return err.toString().lines().toList();
    }

    @Test
    void helpListsTheCommandsAndExitCodes() {
        assertEquals(0, yakima("--help"));
        String help = out.toString();
        for (String s : new String[] {"run", "disasm", "cc", "Exit codes", "125"}) {
            assertTrue(help.contains(s), s);
        }
        assertEquals(0, yakima("help", "run"));
        assertTrue(out.toString().contains("--max-insns"));
    }

    @Test
    void versionNamesYakimaAndTheAbi() {
        assertEquals(0, yakima("--version"));
        assertTrue(out.toString().startsWith("yakima "), out.toString());
        assertTrue(out.toString().contains("Denali ABI 1"));
    }

    @Test
    void usageErrorsAreOneLinePlusAHintAndExitTwo() {
        assertEquals(2, yakima("run", "--bogus", "x"));
        assertEquals(List.of("yakima run: Unknown option: '--bogus'", "Try 'yakima run --help' for more information."), errLines());
    }

    @Test
    void noCommandIsAUsageError() {
        assertEquals(2, yakima());
        assertEquals("yakima: missing a command: run, disasm or cc", errLines().get(0));
        assertEquals(2, yakima("frobnicate"));
    }

    @Test
    void badMemorySizesAreUsageErrors() {
        assertEquals(2, yakima("run", "hello", "--mem", "12345"));
        assertEquals("yakima run: Invalid value for option '--mem': memory size 12345 bytes is not a multiple of the 4096-byte page size",
                errLines().get(0));
        err.getBuffer().setLength(0);
        assertEquals(2, yakima("run", "hello", "--mem", "512m"));
        assertEquals("yakima run: Invalid value for option '--mem': memory size 512 MiB is above the maximum 256 MiB", errLines().get(0));
    }

    @Test
    void anUnknownImageIsOneLineAndExitOne() {
        assertEquals(1, yakima("run", "/nonexistent"));
        assertEquals(List.of("yakima run: image '/nonexistent' not found: no such file, and not a built-in image name "
                + "(none are on the class path: build the services module)"), errLines());
    }

    @Test
    void aRefusedImageIsOneLineAndExitOne() throws IOException {
        Path f = tmp.resolve("notes.txt");
        Files.writeString(f, "not an image");
        assertEquals(1, yakima("run", f.toString()));
        assertEquals(List.of("yakima run: " + f + ": not an ELF file (it does not start with 0x7f 'E' 'L' 'F')"), errLines());
        err.getBuffer().setLength(0);
        assertEquals(1, yakima("disasm", f.toString()));
        assertEquals(List.of("yakima disasm: " + f + ": not an ELF file (it does not start with 0x7f 'E' 'L' 'F')"), errLines());
    }

    @Test
    void theMemorySizeDecidesWhetherTheImageFits() throws IOException {
        byte[] code = new byte[0x20000]; // 128 KiB of code does not fit in 64 KiB
        Path f = tmp.resolve("big.elf");
        Files.write(f, TinyElf.of(code, new byte[0]));
        assertEquals(1, yakima("run", f.toString(), "--mem", "64k"));
        assertEquals(List.of("yakima run: " + f + ": segment 0 [0x00001000, 0x00021000) extends beyond the VM's 64 KiB memory"), errLines());
    }

    @Test
    void ccNeedsTheProjectHome() {
        String saved = System.clearProperty("yakima.home");
        try {
            assertEquals(1, yakima("cc", "a.c", "-o", "a.elf"));
            assertTrue(err.toString().startsWith("yakima cc: the project home is unknown"), err.toString());
            err.getBuffer().setLength(0);
            System.setProperty("yakima.home", tmp.toString());
            assertEquals(1, yakima("cc", "a.c", "-o", "a.elf"));
            assertTrue(err.toString().contains("denali-cc is missing or not executable"), err.toString());
        } finally {
            restore(saved);
        }
    }

    @Test
    void ccRunsDenaliCcWithTheArgumentsAndPassesItsExitCodeThrough() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("ilwaco-guestos/bin"));
        Path args = tmp.resolve("args.txt");
        Path tool = bin.resolve("denali-cc");
        Files.writeString(tool, "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + args + "'\nexit 3\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        String saved = System.setProperty("yakima.home", tmp.toString());
        try {
            assertEquals(3, yakima("cc", "a.c", "b.c", "-o", "prog.elf", "-O", "2"));
            assertEquals(List.of("a.c", "b.c", "-o", "prog.elf", "-O2"), Files.readAllLines(args));
            assertEquals(3, yakima("cc", "a.c", "-o", "prog.elf"));
            assertEquals(List.of("a.c", "-o", "prog.elf"), Files.readAllLines(args));
            assertEquals(2, yakima("cc", "a.c", "-o", "prog.elf", "-O", "9"));
            assertEquals(2, yakima("cc", "-o", "prog.elf"));
        } finally {
            restore(saved);
        }
    }

    private static void restore(String saved) {
        if (saved == null) {
            System.clearProperty("yakima.home");
        } else {
            System.setProperty("yakima.home", saved);
        }
    }
}
