package yakima.vm;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

/**
 * Turns the IMAGE argument of {@code yakima run} or {@code yakima disasm} into
 * bytes. IMAGE is, in this order:
 * <ol>
 *   <li>a path to a regular file, or</li>
 *   <li>a built-in image name: class-path resource {@code /images/NAME.elf}
 *       (the {@code services} module packages them).</li>
 * </ol>
 * Anything else is refused with one line that lists the built-in names.
 */
public final class ImageResolver {
    /** Any larger file is refused before it is read: no valid image needs it (memory is at most 256 MiB). */
    public static final long MAX_FILE_BYTES = 512L << 20;
    private static final String DIR = "images/";
    private static final String SUFFIX = ".elf";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

    /** An image's bytes and the short name to use in messages ({@code hello}, or the file's name). */
    public record Image(String name, byte[] bytes) {
    }

    private final ClassLoader loader;
    private final boolean scanClassPath;

    /** Finds built-in images on the application class path. */
    public ImageResolver() {
        this(ImageResolver.class.getClassLoader(), true);
    }

    /** Finds built-in images through {@code loader} only (tests pass their own). */
    public ImageResolver(ClassLoader loader) {
        this(loader, false);
    }

    private ImageResolver(ClassLoader loader, boolean scanClassPath) {
        this.loader = loader;
        this.scanClassPath = scanClassPath;
    }

    public Image resolve(String arg) throws ImageNotFoundException, IOException {
        Path path = pathOrNull(arg);
        if (path != null && Files.isRegularFile(path)) {
            long size = Files.size(path);
            if (size > MAX_FILE_BYTES) {
                throw new ImageNotFoundException(arg + ": the file is " + size + " bytes, too large to be a Denali image");
            }
            return new Image(path.getFileName().toString(), Files.readAllBytes(path));
        }
        if (NAME.matcher(arg).matches() && !arg.contains("..")) {
            try (InputStream in = loader.getResourceAsStream(DIR + arg + SUFFIX)) {
                if (in != null) {
                    return new Image(arg, in.readAllBytes());
                }
            }
        }
        String what = path != null && Files.isDirectory(path) ? "is a directory" : "no such file";
        throw new ImageNotFoundException("image '" + arg + "' not found: " + what + ", and not a built-in image name ("
                + availableText() + ")");
    }

    private static Path pathOrNull(String arg) {
        try {
            return Path.of(arg);
        } catch (RuntimeException e) { // InvalidPathException: e.g. a NUL in the argument
            return null;
        }
    }

    private String availableText() {
        TreeSet<String> names = available();
        return names.isEmpty() ? "none are on the class path: build the services module" : "built-in: " + String.join(", ", names);
    }

    /**
     * The built-in image names, sorted: every {@code images/NAME.elf} in a
     * directory or jar the class loader knows. Listing a jar through the class
     * loader needs a directory entry for {@code images/}; the class-path scan
     * covers jars built without one.
     */
    public TreeSet<String> available() {
        TreeSet<String> names = new TreeSet<>();
        try {
            for (String dir : new String[] {"images", DIR}) {
                Enumeration<URL> urls = loader.getResources(dir);
                while (urls.hasMoreElements()) {
                    collect(urls.nextElement(), names);
                }
            }
        } catch (IOException e) {
            // Listing is only a courtesy in an error message; say what we found.
        }
        if (scanClassPath) {
            for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
                scanClassPathEntry(entry, names);
            }
        }
        return names;
    }

    private static void scanClassPathEntry(String entry, TreeSet<String> names) {
        if (entry.isEmpty()) {
            return;
        }
        File f = new File(entry);
        if (f.isDirectory()) {
            String[] files = new File(f, DIR).list();
            if (files != null) {
                for (String name : files) {
                    addIfImage(name, names);
                }
            }
        } else if (f.isFile() && entry.endsWith(".jar")) {
            try (JarFile jar = new JarFile(f)) {
                listJar(jar, names);
            } catch (IOException e) {
                // not a readable jar; skip it
            }
        }
    }

    private static void listJar(JarFile jar, TreeSet<String> names) {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
            String e = entries.nextElement().getName();
            if (e.startsWith(DIR) && e.indexOf('/', DIR.length()) < 0) {
                addIfImage(e.substring(DIR.length()), names);
            }
        }
    }

    private static void collect(URL url, TreeSet<String> names) throws IOException {
        if (url.getProtocol().equals("file")) {
            try {
                String[] files = new File(url.toURI()).list();
                if (files != null) {
                    for (String f : files) {
                        addIfImage(f, names);
                    }
                }
            } catch (URISyntaxException | IllegalArgumentException e) {
                // not a plain directory URL; skip it
            }
        } else if (url.getProtocol().equals("jar")) {
            URLConnection c = url.openConnection();
            if (c instanceof JarURLConnection jc) {
                jc.setUseCaches(false);
                try (JarFile jar = jc.getJarFile()) {
                    listJar(jar, names);
                }
            }
        }
    }

    private static void addIfImage(String file, TreeSet<String> names) {
        if (file.endsWith(SUFFIX) && file.length() > SUFFIX.length()) {
            String name = file.substring(0, file.length() - SUFFIX.length());
            if (NAME.matcher(name).matches()) {
                names.add(name);
            }
        }
    }
}
