package yakima.swap;

/**
 * Who a VM in an encapsulation record is and where its clock stood, without
 * its memory: what a host needs to register a stub for a record it finds in
 * its store after a restart ({@link RecordReader#summary}). Reading one
 * checks the record's header, its section table and every section's CRC,
 * and decodes META and SCHED; the pages are not inflated.
 *
 * @param id               the VM's id in the record (its own id, or the template source's for a template)
 * @param name             the name it was given, or null
 * @param imageName        the image it was created from
 * @param memSizeBytes     its memory size
 * @param idle             true when it was IDLE when captured
 * @param vmTimeNs         its clock when captured
 * @param idleDeadlineVmNs when idle with a deadline, the VM time it falls due; else -1
 */
public record RecordSummary(int id, String name, String imageName, int memSizeBytes, boolean idle, long vmTimeNs,
        long idleDeadlineVmNs) {
}
