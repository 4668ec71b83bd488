package yakima.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import denali.isa.loader.ElfImage;
import yakima.vm.Vm;

/** The scheduler's run queue: a deque (as ArrayDeque) that can also look ahead. */
class RunQueueTest {
    private static final ElfImage IMAGE = TestVms.image(TestVms.SPINNER);

    private static List<Vm> vms(int n) {
        TestVms.Clock clock = new TestVms.Clock();
        List<Vm> vms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            vms.add(TestVms.vm(i, IMAGE, clock));
        }
        return vms;
    }

    @Test
    void peekSeesTheVmsInTheOrderTheyWillRun() {
        List<Vm> v = vms(3);
        RunQueue q = new RunQueue();
        q.addLast(v.get(1));
        q.addLast(v.get(2));
        q.addFirst(v.get(0));
        assertEquals(3, q.size());
        assertSame(v.get(0), q.peek(0));
        assertSame(v.get(2), q.peek(2));
        assertNull(q.peek(3), "past the end");
        assertSame(v.get(0), q.pollFirst());
        assertSame(v.get(1), q.peek(0));
    }

    @Test
    void removeTakesOutOnlyThatVmAndKeepsTheOrder() {
        List<Vm> v = vms(4);
        RunQueue q = new RunQueue();
        v.forEach(q::addLast);
        assertTrue(q.remove(v.get(2)));
        assertFalse(q.remove(v.get(2)), "no longer queued");
        assertSame(v.get(0), q.pollFirst());
        assertSame(v.get(1), q.pollFirst());
        assertSame(v.get(3), q.pollFirst());
        assertNull(q.pollFirst());
        assertTrue(q.isEmpty());
    }

    @Test
    void behavesAsADequeThroughGrowthAndWrapAround() {
        List<Vm> v = vms(100);
        RunQueue q = new RunQueue();
        ArrayDeque<Vm> model = new ArrayDeque<>();
        Random random = new Random(7);
        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(10);
            Vm vm = v.get(random.nextInt(v.size()));
            if (op < 4) {
                q.addLast(vm);
                model.addLast(vm);
            } else if (op < 5) {
                q.addFirst(vm);
                model.addFirst(vm);
            } else if (op < 9) {
                assertSame(model.pollFirst(), q.pollFirst());
            } else {
                assertEquals(model.remove(vm), q.remove(vm));
            }
            assertEquals(model.size(), q.size());
            int k = model.isEmpty() ? 0 : random.nextInt(model.size());
            assertSame(model.stream().skip(k).findFirst().orElse(null), q.peek(k));
        }
    }
}
