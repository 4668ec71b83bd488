package yakima.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import denali.isa.loader.ElfImage;

/**
 * C programs built with the guest toolchain print exactly what the same source
 * prints when built for this machine and run natively (outputs recorded by
 * {@code ilwaco-guestos/tests/record-expected.sh} and the cpuwork native build),
 * at every optimisation level.
 */
class GuestProgramsTest {
    private static final Path EXPECTED = Path.of("..", "ilwaco-guestos", "tests", "expected");
    private static final String[] LEVELS = {"O0", "O1", "O2", "O3", "Os"};
    private static final int MEM = 1 << 20;

    static String runImage(String resource, int memSize) throws Exception {
        byte[] elf;
        try (InputStream in = GuestProgramsTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, "missing resource " + resource);
            elf = in.readAllBytes();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SingleVmRunner runner = new SingleVmRunner(ElfImage.parse(elf, memSize), RunOptions.defaults(memSize).withMaxInsns(2_000_000_000L),
                ConsoleSink.of(out), VmClock.monotonicSinceNow(), Idler.parking(), new PrintWriter(new StringWriter()));
        RunResult result = runner.run();
        assertEquals(RunResult.Outcome.TERMINATED, result.outcome(), resource + ": " + result);
        assertEquals(0, result.exitCode(), resource + " exit code");
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @TestFactory
    Stream<DynamicTest> everyProgramAtEveryLevelMatchesItsNativeOutput() throws IOException {
        List<Path> expected;
        try (Stream<Path> files = Files.list(EXPECTED)) {
            expected = files.filter(p -> p.toString().endsWith(".out")).sorted().toList();
        }
        assertTrue(expected.size() >= 6, "expected outputs missing from " + EXPECTED);
        List<DynamicTest> tests = new ArrayList<>();
        for (Path out : expected) {
            String name = out.getFileName().toString().replace(".out", "");
            String want = Files.readString(out, StandardCharsets.ISO_8859_1);
            for (String level : LEVELS) {
                tests.add(DynamicTest.dynamicTest(name + "-" + level,
                        () -> assertEquals(want, runImage("/tests/" + name + "-" + level + ".elf", MEM))));
            }
        }
        return tests.stream();
    }

    @Test
    void cpuworkPrintsTheSameChecksumsAsItsNativeBuild() throws Exception {
        String want = Files.readString(Path.of("..", "services", "cpuwork", "expected.out"), StandardCharsets.ISO_8859_1);
        assertTrue(want.contains("checksum: 0x"), want);
        assertEquals(want, runImage("/images/cpuwork.elf", MEM));
    }
}
