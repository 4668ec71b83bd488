/**
 * The {@code loadgen} command line: {@link loadgen.LoadCommand} runs one load
 * against an HTTP server and writes its report.
 */
package loadgen;
