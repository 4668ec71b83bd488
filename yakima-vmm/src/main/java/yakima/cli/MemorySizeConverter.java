package yakima.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import yakima.vm.MemorySize;

/** {@code --mem 1m}: see {@link MemorySize}; a bad value is a usage error. */
final class MemorySizeConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
        try {
            return MemorySize.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
