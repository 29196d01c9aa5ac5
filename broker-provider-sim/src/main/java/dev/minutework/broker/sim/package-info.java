/**
 * Wire-faithful provider simulators: local HTTP servers that enforce what each provider documents
 * (auth headers, required fields, units, error envelopes, rate limits), keep the objects created
 * on them, report spend, and fail on purpose when told to ({@link dev.minutework.broker.sim.Faults}).
 * JDK only (plus the core's JSON reader and writer, and BouncyCastle to make the self-signed
 * certificate of the optional HTTPS listener, {@link dev.minutework.broker.sim.SimulatorTls}).
 */
package dev.minutework.broker.sim;
