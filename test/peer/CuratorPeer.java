// A real Apache Curator client for interop tests, driven over stdin/stdout by the mocha tests.
// One command per line in, one JSON object per line out. Every hold runs on its own thread,
// because Curator's InterProcessMutex belongs to the thread that acquired it.
//
//   acquire <ref> <kind> <path> <timeoutMs|-1> [maxLeases]   kind: mutex|semaphore|read|write
//   nested <ref> <newRef> <kind>   acquire read|write on the thread (and lock) of <ref>
//   release <ref>                  release the hold <ref>, on its own thread
//   list <path>                    getParticipantNodes of a mutex on <path>
//   listrw <path> <read|write>     getParticipantNodes of that half of a read-write lock
//   record <file>                  append "enter <ref> <kind>" after each acquire and
//                                  "exit <ref> <kind>" before each release to <file>
//   exit
//
// Replies: {"event":"ready"}, {"event":"acquired","ref":..}, {"event":"timeout","ref":..},
// {"event":"released","ref":..}, {"event":"list","nodes":[..]}, {"event":"error","ref":..,"message":..}
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessLock;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphore;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.retry.ExponentialBackoffRetry;

public final class CuratorPeer {
    /** One hold: the thread it lives on and how to release it. */
    private static final class Hold {
        final ExecutorService thread;
        final String path;
        String kind;
        InterProcessLock lock;
        InterProcessReadWriteLock rw;
        Lease lease;

        Hold(ExecutorService thread, String path) {
            this.thread = thread;
            this.path = path;
        }
    }

    private static final Map<String, Hold> holds = new ConcurrentHashMap<>();
    private static final Map<String, InterProcessReadWriteLock> rwLocks = new ConcurrentHashMap<>();
    private static CuratorFramework client;

    private static InterProcessReadWriteLock rwFor(String path) {
        return rwLocks.computeIfAbsent(path, p -> new InterProcessReadWriteLock(client, p));
    }

    private static boolean acquireOn(Hold h, String kind, long timeoutMs, int maxLeases) throws Exception {
        switch (kind) {
            case "mutex":
                h.lock = new InterProcessMutex(client, h.path);
                break;
            case "read":
                h.rw = h.rw != null ? h.rw : rwFor(h.path);
                h.lock = h.rw.readLock();
                break;
            case "write":
                h.rw = h.rw != null ? h.rw : rwFor(h.path);
                h.lock = h.rw.writeLock();
                break;
            case "semaphore": {
                InterProcessSemaphore sem = new InterProcessSemaphore(client, h.path, maxLeases);
                h.lease = timeoutMs < 0 ? sem.acquire() : sem.acquire(timeoutMs, TimeUnit.MILLISECONDS);
                return h.lease != null;
            }
            default:
                throw new IllegalArgumentException("unknown kind " + kind);
        }
        if (timeoutMs < 0) {
            h.lock.acquire();
            return true;
        }
        return h.lock.acquire(timeoutMs, TimeUnit.MILLISECONDS);
    }

    private static void acquire(String ref, String kind, String path, long timeoutMs, int maxLeases, Hold onThreadOf) {
        ExecutorService thread = onThreadOf != null ? onThreadOf.thread : Executors.newSingleThreadExecutor();
        Hold h = new Hold(thread, path);
        if (onThreadOf != null) h.rw = onThreadOf.rw;
        thread.submit(() -> {
            try {
                if (acquireOn(h, kind, timeoutMs, maxLeases)) {
                    h.kind = kind;
                    PeerOut.record("enter " + ref + " " + kind);
                    holds.put(ref, h);
                    PeerOut.reply("{\"event\":\"acquired\",\"ref\":" + PeerOut.q(ref) + "}");
                } else {
                    PeerOut.reply("{\"event\":\"timeout\",\"ref\":" + PeerOut.q(ref) + "}");
                }
            } catch (Throwable t) {
                PeerOut.error(ref, t);
            }
        });
    }

    private static void release(String ref) {
        Hold h = holds.remove(ref);
        if (h == null) {
            PeerOut.reply("{\"event\":\"error\",\"ref\":" + PeerOut.q(ref) + ",\"message\":\"no such hold\"}");
            return;
        }
        h.thread.submit(() -> {
            try {
                PeerOut.record("exit " + ref + " " + h.kind);
                if (h.lease != null) h.lease.close();
                else h.lock.release();
                PeerOut.reply("{\"event\":\"released\",\"ref\":" + PeerOut.q(ref) + "}");
            } catch (Throwable t) {
                PeerOut.error(ref, t);
            }
        });
    }

    public static void main(String[] args) throws Exception {
        String connect = args[0];
        client = CuratorFrameworkFactory.newClient(connect, 10_000, 10_000, new ExponentialBackoffRetry(100, 5));
        client.start();
        if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
            PeerOut.reply("{\"event\":\"error\",\"ref\":\"\",\"message\":\"could not connect\"}");
            System.exit(2);
        }
        PeerOut.reply("{\"event\":\"ready\"}");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] a = line.trim().split(" ");
            try {
                switch (a[0]) {
                    case "acquire":
                        acquire(a[1], a[2], a[3], Long.parseLong(a[4]), a.length > 5 ? Integer.parseInt(a[5]) : 1, null);
                        break;
                    case "nested": {
                        Hold outer = holds.get(a[1]);
                        if (outer == null) throw new IllegalStateException("no such hold " + a[1]);
                        acquire(a[2], a[3], outer.path, Long.parseLong(a.length > 4 ? a[4] : "-1"), 1, outer);
                        break;
                    }
                    case "release":
                        release(a[1]);
                        break;
                    case "record":
                        PeerOut.recordTo(a[1]);
                        PeerOut.reply("{\"event\":\"list\",\"nodes\":[]}");
                        break;
                    case "list":
                    case "listrw": {
                        Collection<String> nodes = a[0].equals("list")
                            ? new InterProcessMutex(client, a[1]).getParticipantNodes()
                            : ((InterProcessMutex) (a[2].equals("read") ? rwFor(a[1]).readLock() : rwFor(a[1]).writeLock())).getParticipantNodes();
                        PeerOut.list(nodes);
                        break;
                    }
                    case "exit":
                        client.close();
                        PeerOut.reply("{\"event\":\"bye\"}");
                        System.exit(0);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown command " + a[0]);
                }
            } catch (Throwable t) {
                PeerOut.error(a.length > 1 ? a[1] : "", t);
            }
        }
        client.close();
        System.exit(0);
    }
}
