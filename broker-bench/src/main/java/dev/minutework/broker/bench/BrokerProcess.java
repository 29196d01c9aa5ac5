package dev.minutework.broker.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The broker under test: its executable jar in a child JVM, as an operator runs it. */
final class BrokerProcess implements AutoCloseable {

    static final String OPERATOR_KEY = "mwb_op_benchmark_operator_key_not_secret";

    private final Process process;
    final URI base;
    final Path log;

    private BrokerProcess(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    static BrokerProcess start(Path jar, String jdbcUrl, Duration providerLatency, String heap, List<String> jvmOptions)
            throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = Files.createTempDirectory("broker-bench-data");
        Path log = Files.createTempFile("broker-bench", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("SERVER_PORT", String.valueOf(port));
        env.put("BROKER_DATABASE_URL", jdbcUrl);
        env.put("BROKER_DATABASE_USER", "postgres");
        env.put("BROKER_DATABASE_PASSWORD", "");
        env.put("BROKER_SIMULATORS", "on");
        env.put("BROKER_SIMULATOR_LATENCY", providerLatency.toString());
        // measure the broker, not the simulated providers' quotas
        env.put("BROKER_SIMULATOR_RATE_LIMITS", "false");
        env.put("BROKER_OPERATOR_KEY", OPERATOR_KEY);
        env.put("BROKER_DATA_DIR", data.toString());
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        BrokerProcess broker = new BrokerProcess(p, URI.create("http://127.0.0.1:" + port), log);
        broker.awaitHealthy(Duration.ofSeconds(90));
        return broker;
    }

    private void awaitHealthy(Duration within) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the broker exited; see " + log);
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/actuator/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the broker did not become healthy; see " + log);
    }

    long pid() {
        return process.pid();
    }

    /** Peak resident set size of the broker process so far (Linux {@code VmHWM}), in MiB; -1 elsewhere. */
    long peakRssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
