package yakima.swap;

/**
 * One row of a record's section table (see {@link Descriptor}). The u32
 * fields are held as longs so that a hostile value is a large number, never
 * a negative one.
 *
 * @param type        the section type, {@link Descriptor#MAY_SKIP} included
 * @param codec       how the stored bytes encode the raw ones
 * @param offset      where the stored bytes start in the record
 * @param storedBytes how many bytes the record holds
 * @param rawBytes    how many bytes they decode to
 * @param crc         CRC32C of the stored bytes
 */
record SectionEntry(int type, int codec, long offset, long storedBytes, long rawBytes, int crc) {
    /** "PAGES", as messages name it. */
    String name() {
        return Descriptor.sectionName(type);
    }
}
