package yakima.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import denali.isa.loader.ElfImage;
import denali.isa.loader.LoadException;

/**
 * The VM life cycle as {@link VmState}'s diagram draws it: exactly these
 * transitions are legal, and {@link Vm#setState} refuses every other one with
 * a message naming the VM and both states, leaving the state as it was.
 */
class VmLifecycleTest {
    /** The diagram's arrows, written out independently of VmState's table. */
    private static final List<String> LEGAL = List.of(
            "WAITING->RUNNABLE", "WAITING->DESTROYED", "WAITING->SWAPPED",
            "RUNNABLE->RUNNING", "RUNNABLE->IDLE", "RUNNABLE->DESTROYED", "RUNNABLE->SWAPPED",
            "RUNNING->RUNNABLE", "RUNNING->IDLE", "RUNNING->TERMINATED", "RUNNING->FAULTED",
            "IDLE->RUNNABLE", "IDLE->DESTROYED", "IDLE->SWAPPED",
            "TERMINATED->DESTROYED",
            "FAULTED->DESTROYED",
            "SWAPPED->WAITING", "SWAPPED->DESTROYED");

    private static Vm vm() throws LoadException {
        ElfImage image = ElfImage.parse(TinyElf.of(new byte[] {(byte) 0xEB, (byte) 0xFE}, new byte[16]), 64 << 10);
        return new Vm(7, null, "test", image, 64 << 10, 0, 0, 100, 0, new RateLimitedConsole(ConsoleSink.discarding(), () -> 0, 1, 1));
    }

    /** A fresh VM brought to {@code s} by legal steps. */
    private static Vm in(VmState s) throws LoadException {
        Vm vm = vm();
        List<VmState> path = switch (s) {
            case WAITING -> List.of();
            case RUNNABLE -> List.of(VmState.RUNNABLE);
            case RUNNING -> List.of(VmState.RUNNABLE, VmState.RUNNING);
            case IDLE -> List.of(VmState.RUNNABLE, VmState.RUNNING, VmState.IDLE);
            case TERMINATED -> List.of(VmState.RUNNABLE, VmState.RUNNING, VmState.TERMINATED);
            case FAULTED -> List.of(VmState.RUNNABLE, VmState.RUNNING, VmState.FAULTED);
            case DESTROYED -> List.of(VmState.DESTROYED);
            case SWAPPED -> List.of(VmState.RUNNABLE, VmState.SWAPPED);
        };
        for (VmState step : path) {
            vm.setState(step);
        }
        assertEquals(s, vm.state());
        return vm;
    }

    @Test
    void aNewVmWaitsForAdmission() throws LoadException {
        assertEquals(VmState.WAITING, vm().state());
    }

    @Test
    void exactlyTheDiagramsTransitionsAreLegalAndEveryOtherIsRefusedNamingBothStates() throws LoadException {
        List<String> legalSeen = new ArrayList<>();
        for (VmState from : VmState.values()) {
            for (VmState to : VmState.values()) {
                String arrow = from + "->" + to;
                Vm vm = in(from);
                if (LEGAL.contains(arrow)) {
                    vm.setState(to);
                    assertEquals(to, vm.state(), arrow);
                    legalSeen.add(arrow);
                } else {
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> vm.setState(to), arrow + " must be refused");
                    assertEquals("vm-7: " + from.label() + " -> " + to.label() + " is not a legal transition", e.getMessage());
                    assertEquals(from, vm.state(), arrow + " refused leaves the state alone");
                }
                assertEquals(LEGAL.contains(arrow), from.canGoTo(to), arrow);
            }
        }
        assertEquals(LEGAL, legalSeen);
    }

    @Test
    void terminatedFaultedAndDestroyedAreFinalAndDestroyedIsTheEnd() {
        Set<VmState> fin = EnumSet.noneOf(VmState.class);
        for (VmState s : VmState.values()) {
            if (s.isFinal()) {
                fin.add(s);
            }
        }
        assertEquals(EnumSet.of(VmState.TERMINATED, VmState.FAULTED, VmState.DESTROYED), fin);
        for (VmState s : VmState.values()) {
            assertEquals(false, VmState.DESTROYED.canGoTo(s), "nothing follows destroyed: " + s);
        }
        assertEquals("runnable", VmState.RUNNABLE.label(), "the API and CLI show lower-case names");
    }
}
