package denali.isa.loader;

/**
 * The parts of the ELF32 format the loader reads, as byte offsets and values
 * (System V ABI, "Object Files", and its i386 supplement). Only little-endian
 * files are accepted, so every multi-byte field is read little-endian.
 *
 * <pre>
 * ELF header (52 bytes, at file offset 0)
 *   0  e_ident[16]  7f 'E' 'L' 'F' | class | data | version | osabi | pad...
 *                   0  1   2   3     4       5      6         7
 *  16  u16 e_type       2 = ET_EXEC
 *  18  u16 e_machine    3 = EM_386
 *  20  u32 e_version    1
 *  24  u32 e_entry      initial EIP
 *  28  u32 e_phoff      file offset of the program header table
 *  32  u32 e_shoff      file offset of the section header table (symbols only)
 *  36  u32 e_flags      ignored
 *  40  u16 e_ehsize     52
 *  42  u16 e_phentsize  32
 *  44  u16 e_phnum
 *  46  u16 e_shentsize  40
 *  48  u16 e_shnum
 *  50  u16 e_shstrndx   ignored
 *
 * Program header (32 bytes each, e_phnum of them from e_phoff)
 *   0  u32 p_type    1 = PT_LOAD, 2 = PT_DYNAMIC (refused), 3 = PT_INTERP (refused), others ignored
 *   4  u32 p_offset  file offset of the segment's bytes
 *   8  u32 p_vaddr   guest-physical address of the first byte
 *  12  u32 p_paddr   ignored
 *  16  u32 p_filesz  bytes taken from the file
 *  20  u32 p_memsz   bytes in memory; the rest after p_filesz is zero (bss)
 *  24  u32 p_flags   PF_X = 1, PF_W = 2, PF_R = 4
 *  28  u32 p_align   ignored: the loader copies bytes, so offset and address need not agree mod 4096
 *
 * Section header (40 bytes each; read only to find .symtab, never required)
 *   0  u32 sh_name | 4 u32 sh_type | 8 u32 sh_flags | 12 u32 sh_addr | 16 u32 sh_offset
 *  20  u32 sh_size | 24 u32 sh_link | 28 u32 sh_info | 32 u32 sh_addralign | 36 u32 sh_entsize
 *
 * Symbol (16 bytes each in a SHT_SYMTAB section)
 *   0  u32 st_name (offset in the linked string table) | 4 u32 st_value | 8 u32 st_size
 *  12  u8 st_info (type in the low 4 bits) | 13 u8 st_other | 14 u16 st_shndx
 * </pre>
 */
final class Elf32 {
    private Elf32() {
    }

    // e_ident
    static final int EI_MAG0 = 0, EI_CLASS = 4, EI_DATA = 5, EI_VERSION = 6;
    static final int ELFCLASS32 = 1, ELFCLASS64 = 2;
    static final int ELFDATA2LSB = 1, ELFDATA2MSB = 2;
    static final int EV_CURRENT = 1;

    // ELF header
    static final int E_TYPE = 16, E_MACHINE = 18, E_VERSION = 20, E_ENTRY = 24, E_PHOFF = 28, E_SHOFF = 32;
    static final int E_EHSIZE = 40, E_PHENTSIZE = 42, E_PHNUM = 44, E_SHENTSIZE = 46, E_SHNUM = 48;
    static final int EHDR_SIZE = 52;
    static final int ET_NONE = 0, ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
    static final int EM_386 = 3, EM_X86_64 = 62;

    // Program header
    static final int P_TYPE = 0, P_OFFSET = 4, P_VADDR = 8, P_FILESZ = 16, P_MEMSZ = 20, P_FLAGS = 24;
    static final int PHDR_SIZE = 32;
    static final int PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3;
    static final int PF_X = 1, PF_W = 2, PF_R = 4;

    // Section header
    static final int SH_TYPE = 4, SH_OFFSET = 16, SH_SIZE = 20, SH_LINK = 24, SH_ENTSIZE = 36;
    static final int SHDR_SIZE = 40;
    static final int SHT_SYMTAB = 2, SHT_STRTAB = 3;

    // Symbol
    static final int ST_NAME = 0, ST_VALUE = 4, ST_SIZE = 8, ST_INFO = 12, ST_SHNDX = 14;
    static final int SYM_SIZE = 16;
    static final int STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2;
    static final int SHN_UNDEF = 0;

    static int u8(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }

    /** An unsigned 32-bit field as a non-negative long, so sums of fields cannot overflow. */
    static long u32(byte[] b, int off) {
        return Integer.toUnsignedLong((b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24);
    }
}
