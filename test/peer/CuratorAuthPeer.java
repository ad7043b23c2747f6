// A Curator 5.4.0 client as a JVM service on a secured ensemble runs it: digest credentials
// (CuratorFrameworkFactory.builder().authorization) and an ACLProvider that gives every node it
// creates, lock nodes and their parents alike, CREATOR_ALL_ACL. It speaks the subset of
// CuratorPeer.java's line protocol that the auth interop tests need:
//
//   acquire <ref> <mutex|read|write> <path> <timeoutMs|-1>    release <ref>    exit
//
// Replies: {"event":"ready"}, {"event":"acquired","ref":..}, {"event":"timeout","ref":..},
// {"event":"released","ref":..}, {"event":"error","ref":..,"message":..}
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.recipes.locks.InterProcessLock;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

public final class CuratorAuthPeer {
    /** A hold lives on its own thread: Curator's locks belong to the thread that acquired them. */
    private record Hold(ExecutorService thread, InterProcessLock lock) {}

    private static final Map<String, Hold> holds = new ConcurrentHashMap<>();

    private static synchronized void reply(String event, String ref, String message) {
        String json = "{\"event\":\"" + event + "\"" + (ref == null ? "" : ",\"ref\":\"" + ref + "\"")
            + (message == null ? "" : ",\"message\":\"" + message.replace("\\", "\\\\").replace("\"", "'").replace("\n", " ") + "\"") + "}";
        System.out.println(json);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        ACLProvider creatorAll = new ACLProvider() {
            @Override public List<ACL> getDefaultAcl() { return ZooDefs.Ids.CREATOR_ALL_ACL; }
            @Override public List<ACL> getAclForPath(String path) { return ZooDefs.Ids.CREATOR_ALL_ACL; }
        };
        CuratorFramework client = CuratorFrameworkFactory.builder()
            .connectString(args[0]).sessionTimeoutMs(10_000).connectionTimeoutMs(10_000)
            .retryPolicy(new ExponentialBackoffRetry(100, 5))
            .authorization("digest", args[1].getBytes(StandardCharsets.UTF_8))
            .aclProvider(creatorAll)
            .build();
        client.start();
        if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
            reply("error", "", "could not connect");
            System.exit(2);
        }
        reply("ready", null, null);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] a = line.trim().split(" ");
            switch (a[0]) {
                case "acquire": {
                    String ref = a[1];
                    long timeoutMs = Long.parseLong(a[4]);
                    InterProcessLock lock = switch (a[2]) {
                        case "read" -> new InterProcessReadWriteLock(client, a[3]).readLock();
                        case "write" -> new InterProcessReadWriteLock(client, a[3]).writeLock();
                        default -> new InterProcessMutex(client, a[3]);
                    };
                    ExecutorService thread = Executors.newSingleThreadExecutor();
                    thread.submit(() -> {
                        try {
                            boolean held = timeoutMs < 0 ? acquireForever(lock) : lock.acquire(timeoutMs, TimeUnit.MILLISECONDS);
                            if (held) holds.put(ref, new Hold(thread, lock));
                            reply(held ? "acquired" : "timeout", ref, null);
                        } catch (Throwable t) {
                            reply("error", ref, String.valueOf(t));
                        }
                    });
                    break;
                }
                case "release": {
                    String ref = a[1];
                    Hold h = holds.remove(ref);
                    if (h == null) {
                        reply("error", ref, "no such hold");
                        break;
                    }
                    h.thread().submit(() -> {
                        try {
                            h.lock().release();
                            reply("released", ref, null);
                        } catch (Throwable t) {
                            reply("error", ref, String.valueOf(t));
                        }
                    });
                    break;
                }
                case "exit":
                    client.close();
                    reply("bye", null, null);
                    System.exit(0);
                    break;
                default:
                    reply("error", a.length > 1 ? a[1] : "", "unknown command " + a[0]);
            }
        }
        client.close();
        System.exit(0);
    }

    private static boolean acquireForever(InterProcessLock lock) throws Exception {
        lock.acquire();
        return true;
    }
}
