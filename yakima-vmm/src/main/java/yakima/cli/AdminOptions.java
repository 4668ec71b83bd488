package yakima.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;
import yakima.admin.AdminAddress;
import yakima.admin.AdminClient;
import yakima.admin.AdminException;

/**
 * {@code --admin HOST:PORT}, shared (as a picocli mixin) by the commands that
 * ask a running host through its admin API ({@code ps}, {@code inspect}), and
 * the one place that turns a failed conversation into one line on stderr and
 * {@link ExitCodes#ERROR}. Runs on the command's thread.
 */
final class AdminOptions {
    @Option(names = "--admin", paramLabel = "HOST:PORT", converter = AddressConverter.class, defaultValue = AdminAddress.DEFAULT_TEXT,
            description = "the host's admin API (default: ${DEFAULT-VALUE})")
    AdminAddress address;

    /** What a command does with a client; its result is the exit code. */
    @FunctionalInterface
    interface Action {
        int run(AdminClient client) throws AdminException, IOException, InterruptedException;
    }

    /** Runs {@code action} against the host; any failure is one line, prefixed {@code command}, and exit 1. */
    int run(CliStreams io, String command, Action action) {
        try (AdminClient client = new AdminClient(address)) {
            return action.run(client);
        } catch (AdminException e) {
            io.err().println(command + ": " + (e.httpStatus() >= 500 ? "the host at " + address + " failed: " : "") + e.getMessage());
        } catch (AdminClient.NotAHostException e) {
            io.err().println(command + ": " + e.getMessage());
        } catch (HttpTimeoutException e) {
            io.err().println(command + ": the Yakima host at " + address + " did not answer in time (" + e.getMessage() + ")");
        } catch (IOException e) {
            io.err().println(command + ": " + unreachable(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            io.err().println(command + ": interrupted");
        }
        io.err().flush();
        return ExitCodes.ERROR;
    }

    /**
     * Why the host could not be reached. The JDK's client reports a refused
     * connection as a {@link ConnectException} with no message (its cause is
     * a closed channel), and an unknown host name as one caused by an
     * {@link UnresolvedAddressException}, so the chain of causes is read.
     */
    private String unreachable(IOException e) {
        boolean connect = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException) {
                return "cannot find the host " + address.host() + " (unknown host name)";
            }
            connect |= t instanceof ConnectException;
        }
        if (connect) {
            return "no Yakima host at " + address + ": connection refused; start one with ./yakima host";
        }
        return "cannot talk to the Yakima host at " + address + ": " + e;
    }

    /** {@code --admin} as an {@link AdminAddress}; a bad one is a usage error. */
    static final class AddressConverter implements ITypeConverter<AdminAddress> {
        @Override
        public AdminAddress convert(String value) {
            try {
                return AdminAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
