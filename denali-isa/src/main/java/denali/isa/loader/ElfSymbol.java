package denali.isa.loader;

/** A named function, object or label from the image's symbol table, for disassembly and traces. */
public record ElfSymbol(String name, int address, int size, Kind kind) {
    public enum Kind { FUNCTION, OBJECT, NOTYPE }
}
