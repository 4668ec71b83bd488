package yakima.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MemorySizeTest {
    @ParameterizedTest
    @CsvSource({
        "1m, 1048576", "1M, 1048576", "64k, 65536", "64K, 65536", "65536, 65536", "256m, 268435456",
        "262144k, 268435456", "4100k, 4198400", "' 2m ', 2097152"
    })
    void accepts(String text, int bytes) {
        assertEquals(bytes, MemorySize.parse(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "12345      | memory size 12345 bytes is not a multiple of the 4096-byte page size",
        "1001k      | memory size 1001 KiB is not a multiple of the 4096-byte page size",
        "32k        | memory size 32 KiB is below the minimum 64 KiB",
        "0          | memory size 0 bytes is below the minimum 64 KiB",
        "257m       | memory size 257 MiB is above the maximum 256 MiB",
        "1g         | memory size 1 GiB is above the maximum 256 MiB",
        "99999999999999m | memory size 99999999999999m is above the maximum 256 MiB",
        "abc        | 'abc' is not a memory size: use a number of bytes, or a number with a k or m suffix (e.g. 1m, 512k)",
        "1.5m       | '1.5m' is not a memory size: use a number of bytes, or a number with a k or m suffix (e.g. 1m, 512k)",
        "-1m        | '-1m' is not a memory size: use a number of bytes, or a number with a k or m suffix (e.g. 1m, 512k)",
        "1mb        | '1mb' is not a memory size: use a number of bytes, or a number with a k or m suffix (e.g. 1m, 512k)",
        "9999999999999999999 | '9999999999999999999' is not a memory size: use a number of bytes, or a number with a k or m suffix (e.g. 1m, 512k)"
    })
    void refuses(String text, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> MemorySize.parse(text)).getMessage());
    }

    @ParameterizedTest
    @CsvSource({"1048576, 1 MiB", "65536, 64 KiB", "12345, 12345 bytes", "1073741824, 1 GiB"})
    void describes(long bytes, String text) {
        assertEquals(text, MemorySize.describe(bytes));
    }
}
