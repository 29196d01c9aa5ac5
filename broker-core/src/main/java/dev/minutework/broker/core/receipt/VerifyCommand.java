package dev.minutework.broker.core.receipt;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code java -jar broker.jar verify --export FILE --checkpoint FILE --public-key FILE}: the
 * {@link OfflineVerifier} from the command line. The checkpoint file holds the signed note (the
 * {@code checkpoint} member of {@code GET /v1/receipts/checkpoint}, or that whole JSON answer); the
 * public-key file the verifier key (likewise). Exit status 0 valid, 1 not valid, 2 a usage error.
 */
public final class VerifyCommand {

    private VerifyCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].startsWith("--") && i + 1 < args.length) {
                opts.put(args[i].substring(2), args[++i]);
            } else {
                return usage(err, "unexpected argument " + args[i]);
            }
        }
        if (!opts.keySet().equals(java.util.Set.of("export", "checkpoint", "public-key"))) {
            return usage(err, "need --export, --checkpoint and --public-key");
        }
        String export;
        String checkpoint;
        String key;
        try {
            export = Files.readString(Path.of(opts.get("export")), StandardCharsets.UTF_8);
            checkpoint = member(Files.readString(Path.of(opts.get("checkpoint")), StandardCharsets.UTF_8), "checkpoint");
            key = member(Files.readString(Path.of(opts.get("public-key")), StandardCharsets.UTF_8), "public_key").strip();
        } catch (IOException e) {
            return usage(err, "cannot read " + e.getMessage());
        }
        OfflineVerifier.Report report = OfflineVerifier.verify(export, checkpoint, key);
        report.lines().forEach(out::println);
        return report.valid() ? 0 : 1;
    }

    /** The text itself, or the named string member of a JSON answer saved whole. */
    private static String member(String text, String name) {
        if (text.stripLeading().startsWith("{")) {
            try {
                Object v = dev.minutework.broker.core.json.JsonParser.parseObject(text).get(name);
                if (v instanceof String s) {
                    return s;
                }
            } catch (IllegalArgumentException e) {
                return text;
            }
        }
        return text;
    }

    private static int usage(PrintStream err, String why) {
        err.println("error: " + why);
        err.println("usage: java -jar broker-server.jar verify --export FILE --checkpoint FILE --public-key FILE");
        return 2;
    }
}
