package yakima.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import denali.isa.disasm.Disassembler;
import denali.isa.loader.ElfImage;
import denali.isa.loader.ElfSymbol;
import denali.isa.loader.LoadException;
import denali.isa.loader.Segment;
import denali.isa.spec.DenaliAbi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import yakima.vm.ImageNotFoundException;
import yakima.vm.ImageResolver;

/**
 * {@code yakima disasm IMAGE}: the executable segments as {@code objdump -d}
 * would show them, with symbol headers when the image has a symbol table.
 */
@Command(name = "disasm", mixinStandardHelpOptions = true,
        description = "Disassembles the executable segments of IMAGE (AT&T syntax, like objdump -d).")
final class DisasmCommand implements Callable<Integer> {
    /** objdump's layout: at most 7 bytes on an instruction's line, the rest on continuation lines. */
    private static final int BYTES_PER_LINE = 7;

    private final CliStreams io;
    private final ImageResolver images;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "a path to an ELF image, or a built-in image name")
    String image;

    DisasmCommand(CliStreams io, ImageResolver images) {
        this.io = io;
        this.images = images;
    }

    @Override
    public Integer call() {
        ImageResolver.Image img;
        ElfImage elf;
        try {
            img = images.resolve(image);
            elf = ElfImage.parse(img.bytes(), DenaliAbi.MAX_MEM_SIZE); // any image that fits some VM
        } catch (ImageNotFoundException e) {
            io.err().println("yakima disasm: " + e.getMessage());
            return ExitCodes.ERROR;
        } catch (IOException e) {
            io.err().println("yakima disasm: cannot read " + image + ": " + e.getMessage());
            return ExitCodes.ERROR;
        } catch (LoadException e) {
            io.err().println("yakima disasm: " + image + ": " + e.getMessage());
            return ExitCodes.ERROR;
        }
        PrintWriter out = io.out();
        out.printf("%s: entry 0x%08x, image [0x%08x, 0x%08x)%n", img.name(), elf.entry(), elf.lowestAddress(), elf.highestAddress());
        for (Segment s : elf.segments()) {
            if (s.isExecutable() && s.fileSize() > 0) {
                out.printf("%nDisassembly of segment %d [0x%08x, 0x%08x) %s:%n", s.index(), s.address(), s.fileEnd(), s.flagString());
                segment(out, elf, s);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * Disassembles a segment piece by piece between symbols, so decoding
     * restarts at every symbol as objdump does (data or padding before a
     * function cannot swallow its first instruction).
     */
    private static void segment(PrintWriter out, ElfImage elf, Segment s) {
        TreeMap<Integer, String> labels = new TreeMap<>();
        for (ElfSymbol sym : elf.symbols()) {
            boolean code = sym.kind() != ElfSymbol.Kind.OBJECT;
            if (code && Integer.compareUnsigned(sym.address(), s.address()) >= 0 && Integer.compareUnsigned(sym.address(), s.fileEnd()) < 0) {
                labels.putIfAbsent(sym.address(), sym.name());
            }
        }
        byte[] bytes = elf.read(s.address(), s.fileSize());
        int start = s.address();
        while (start < s.fileEnd()) {
            Integer next = labels.higherKey(start);
            int end = next == null ? s.fileEnd() : next;
            String label = labels.get(start);
            if (label != null) {
                out.printf("%n%08x <%s>:%n", start, label);
            }
            List<Disassembler.Line> lines = Disassembler.disassemble(bytes, start - s.address(), end - start, start);
            for (Disassembler.Line line : lines) {
                print(out, line);
            }
            start = end;
        }
    }

    private static void print(PrintWriter out, Disassembler.Line line) {
        byte[] b = line.bytes();
        for (int i = 0; i < Math.max(1, b.length); i += BYTES_PER_LINE) {
            StringBuilder hex = new StringBuilder();
            for (int k = i; k < Math.min(b.length, i + BYTES_PER_LINE); k++) {
                hex.append(String.format("%02x ", b[k] & 0xFF));
            }
            if (i == 0) {
                out.printf("%8x:\t%-21s\t%s%n", line.address(), hex, line.text());
            } else {
                out.printf("%8x:\t%s%n", line.address() + i, hex.toString().stripTrailing());
            }
        }
    }
}
