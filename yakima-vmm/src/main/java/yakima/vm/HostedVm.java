package yakima.vm;

/**
 * A VM as the host's clients (the admin API, the gateway) name it, whether
 * it is in memory ({@link Vm}) or swapped out, when the host keeps only a
 * small stub ({@code yakima.swap.VmStub}). Any thread.
 */
public interface HostedVm {
    int id();

    /** "vm-" and the id. */
    default String idString() {
        return "vm-" + id();
    }

    /** The name it was given, or null. */
    String name();

    String imageName();

    int memSizeBytes();

    long mac();

    int ipv4();

    VmState state();

    boolean destroyRequested();

    /** The fault's one-line description once FAULTED, else null. */
    String faultReason();
}
