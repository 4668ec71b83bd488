package yakima.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import denali.isa.spec.DenaliAbi;
import picocli.CommandLine.IVersionProvider;

/** {@code yakima --version}: the build's version (from a filtered resource), the ABI, and the Java running it. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {
            "yakima " + projectVersion(),
            "Denali ABI " + DenaliAbi.ABI_VERSION,
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")"
        };
    }

    static String projectVersion() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }
}
