package yakima.cli;

import java.util.concurrent.ThreadLocalRandom;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import yakima.net.LanFaults;

/**
 * {@code --lan-faults drop=1.5,reorder=2,duplicate=1[,seed=N]}: the faults the
 * virtual switch injects; without a seed one is drawn at random (the host prints
 * it, so a run can be repeated). A bad value is a usage error.
 */
final class LanFaultsConverter implements ITypeConverter<LanFaults> {
    @Override
    public LanFaults convert(String value) {
        try {
            return LanFaults.parse(value, ThreadLocalRandom.current().nextLong());
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
