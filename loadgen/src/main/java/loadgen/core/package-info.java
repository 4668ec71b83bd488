/**
 * The load generator proper: what to run ({@link loadgen.core.LoadSpec}),
 * which service each request goes to ({@link loadgen.core.TargetChooser}),
 * running it over Netty ({@link loadgen.core.LoadRunner}) and what came of it
 * ({@link loadgen.core.LoadResult}).
 */
package loadgen.core;
