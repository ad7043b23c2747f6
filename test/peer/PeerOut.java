// The line protocol every Curator test peer speaks on stdout: one JSON object per line, written
// whole (synchronized) so replies from several hold threads never interleave. Compiled with each
// peer (scripts/curator-java.ts passes this folder as javac's source path).
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

final class PeerOut {
    private static FileOutputStream record;

    private PeerOut() {}

    static synchronized void reply(String json) {
        System.out.println(json);
        System.out.flush();
    }

    /** A JSON string literal. */
    static String q(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static void event(String event, String ref) {
        reply("{\"event\":" + q(event) + ",\"ref\":" + q(ref) + "}");
    }

    static void error(String ref, Throwable t) {
        reply("{\"event\":\"error\",\"ref\":" + q(ref) + ",\"message\":" + q(String.valueOf(t)) + "}");
    }

    static void list(Collection<String> nodes) {
        StringBuilder b = new StringBuilder("{\"event\":\"list\",\"nodes\":[");
        boolean first = true;
        for (String n : nodes) {
            if (!first) b.append(',');
            b.append(q(n));
            first = false;
        }
        reply(b.append("]}").toString());
    }

    /** From now on, {@link #record} appends to `file`. */
    static synchronized void recordTo(String file) throws IOException {
        if (record != null) record.close();
        record = new FileOutputStream(file, true);
    }

    /** One append per line: O_APPEND keeps lines from several processes in real-time order. */
    static synchronized void record(String line) throws IOException {
        if (record != null) record.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
