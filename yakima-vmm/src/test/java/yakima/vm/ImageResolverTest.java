package yakima.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageResolverTest {
    @TempDir
    Path tmp;
    private ImageResolver resolver;

    @BeforeEach
    void classPathWithADirectoryAndAJar() throws IOException {
        Path dir = tmp.resolve("classes");
        Files.createDirectories(dir.resolve("images"));
        Files.write(dir.resolve("images/alpha.elf"), new byte[] {1, 2, 3});
        Files.write(dir.resolve("images/notes.txt"), new byte[] {9});
        Path jar = tmp.resolve("services.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("images/"));
            out.closeEntry();
            out.putNextEntry(new JarEntry("images/beta.elf"));
            out.write(new byte[] {4, 5});
            out.closeEntry();
        }
        URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL(), jar.toUri().toURL()}, null);
        resolver = new ImageResolver(loader);
    }

    @Test
    void builtInNamesComeFromDirectoriesAndJars() throws Exception {
        assertEquals(List.of("alpha", "beta"), List.copyOf(resolver.available()));
        assertArrayEquals(new byte[] {1, 2, 3}, resolver.resolve("alpha").bytes());
        assertEquals("beta", resolver.resolve("beta").name());
        assertArrayEquals(new byte[] {4, 5}, resolver.resolve("beta").bytes());
    }

    @Test
    void aFileWinsAndIsNamedByItsFileName() throws Exception {
        Path f = tmp.resolve("prog.elf");
        Files.write(f, new byte[] {7});
        ImageResolver.Image img = resolver.resolve(f.toString());
        assertEquals("prog.elf", img.name());
        assertArrayEquals(new byte[] {7}, img.bytes());
    }

    @Test
    void unknownImagesAreRefusedWithTheListOfNames() {
        assertEquals("image 'gamma' not found: no such file, and not a built-in image name (built-in: alpha, beta)",
                assertThrows(ImageNotFoundException.class, () -> resolver.resolve("gamma")).getMessage());
        assertEquals("image '/nonexistent' not found: no such file, and not a built-in image name (built-in: alpha, beta)",
                assertThrows(ImageNotFoundException.class, () -> resolver.resolve("/nonexistent")).getMessage());
        assertEquals("image '" + tmp + "' not found: is a directory, and not a built-in image name (built-in: alpha, beta)",
                assertThrows(ImageNotFoundException.class, () -> resolver.resolve(tmp.toString())).getMessage());
    }

    @Test
    void namesCannotEscapeTheImagesFolder() {
        assertThrows(ImageNotFoundException.class, () -> resolver.resolve("../images/alpha"));
        assertThrows(ImageNotFoundException.class, () -> resolver.resolve("notes.txt"));
        assertThrows(ImageNotFoundException.class, () -> resolver.resolve(""));
        assertThrows(ImageNotFoundException.class, () -> resolver.resolve("a\0b"));
    }

    @Test
    void withNoImagesTheMessageSaysHowToGetThem() {
        ImageResolver empty = new ImageResolver(new URLClassLoader(new URL[0], null));
        assertEquals("image 'hello' not found: no such file, and not a built-in image name (none are on the class path: build the services module)",
                assertThrows(ImageNotFoundException.class, () -> empty.resolve("hello")).getMessage());
    }

    @Test
    void hugeFilesAreRefusedBeforeReading() throws IOException {
        Path big = tmp.resolve("big.elf");
        try (OutputStream out = Files.newOutputStream(big)) {
            out.write(1);
        }
        try (var ch = java.nio.channels.FileChannel.open(big, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}), ImageResolver.MAX_FILE_BYTES); // sparse: one byte past the cap
        }
        String msg = assertThrows(ImageNotFoundException.class, () -> resolver.resolve(big.toString())).getMessage();
        assertEquals(big + ": the file is " + (ImageResolver.MAX_FILE_BYTES + 1) + " bytes, too large to be a Denali image", msg);
    }
}
