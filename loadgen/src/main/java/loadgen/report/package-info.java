/**
 * Reports of load runs in plain Java: text tables, CSV files and PNG line
 * charts drawn with Java2D.
 */
package loadgen.report;
