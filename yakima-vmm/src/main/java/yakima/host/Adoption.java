package yakima.host;

/**
 * What a host found in its swap store when swapping was enabled on a store
 * that already held records: the VMs of an earlier run on the same
 * directory, each adopted as a stub ({@link Host#adoption()}).
 *
 * @param vms           VMs adopted, clones and faulted ones included
 * @param clones        of them, clones of a template record with no record of their own
 * @param faulted       of them, FAULTED from the start: their record (or their template's) cannot be read or used
 * @param destroyed     tombstones found: destroyed clones, which stay gone
 * @param templates     template records found (kept: clones start from them)
 * @param lostManifests clone manifests that cannot be read: the clones they named, if any have no record, are lost
 * @param ignored       record files under ids the host never uses (left alone)
 * @param firstProblem  the first problem's one-line reason (a faulted VM, a lost manifest), or null
 * @param nanos         how long the adoption took, reading every record included
 */
public record Adoption(int vms, int clones, int faulted, int destroyed, int templates, int lostManifests, int ignored,
        String firstProblem, long nanos) {
    /** Nothing adopted: a new (or empty) store. */
    public static final Adoption NONE = new Adoption(0, 0, 0, 0, 0, 0, 0, null, 0);
}
