// A real Curator 5.4.0 client for the revocation interop tests (a separate peer, so that
// CuratorPeer.java stays as other suites need it). One command per line in, one JSON object
// per line out. Each hold lives on its own thread (InterProcessMutex belongs to its thread).
//
//   acquire <ref> <path> <timeoutMs|-1> <onRevoke>   a revocable InterProcessMutex
//                                  (makeRevocable); onRevoke: keep | release
//   revoke <ref> <nodePath>        Revoker.attemptRevoke(client, nodePath)
//   release <ref>                  release the hold <ref> on its own thread
//   exit
//
// Replies: {"event":"ready"}, {"event":"acquired","ref":..,"node":..}, {"event":"timeout","ref":..},
// {"event":"revoke-requested","ref":..}, {"event":"released","ref":..}, {"event":"revoked","ref":..},
// {"event":"error","ref":..,"message":..}
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.Revoker;
import org.apache.curator.retry.ExponentialBackoffRetry;

public final class CuratorRevokePeer {
    private static final class Hold {
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        InterProcessMutex lock;
        volatile boolean held;
    }

    private static final Map<String, Hold> holds = new ConcurrentHashMap<>();
    private static CuratorFramework client;

    /** Releases on the hold's own thread (Curator refuses a release from another thread). */
    private static void releaseOnThread(String ref, Hold h) {
        h.thread.submit(() -> {
            try {
                if (h.held) {
                    h.held = false;
                    h.lock.release();
                }
                holds.remove(ref);
                PeerOut.event("released", ref);
            } catch (Throwable t) {
                PeerOut.error(ref, t);
            }
        });
    }

    private static void acquire(String ref, String path, long timeoutMs, boolean releaseOnRevoke) {
        Hold h = new Hold();
        holds.put(ref, h);
        h.thread.submit(() -> {
            try {
                h.lock = new InterProcessMutex(client, path);
                // The listener runs on ZooKeeper's event thread: report, and release on the hold's thread.
                h.lock.makeRevocable(forLock -> {
                    PeerOut.event("revoke-requested", ref);
                    if (releaseOnRevoke) releaseOnThread(ref, h);
                });
                boolean ok;
                if (timeoutMs < 0) {
                    h.lock.acquire();
                    ok = true;
                } else {
                    ok = h.lock.acquire(timeoutMs, TimeUnit.MILLISECONDS);
                }
                if (!ok) {
                    holds.remove(ref);
                    PeerOut.event("timeout", ref);
                    return;
                }
                h.held = true;
                // A mutex's holder is the first participant: that is our node.
                String node = h.lock.getParticipantNodes().iterator().next();
                PeerOut.reply("{\"event\":\"acquired\",\"ref\":" + PeerOut.q(ref) + ",\"node\":" + PeerOut.q(node) + "}");
            } catch (Throwable t) {
                holds.remove(ref);
                PeerOut.error(ref, t);
            }
        });
    }

    public static void main(String[] args) throws Exception {
        client = CuratorFrameworkFactory.newClient(args[0], 10_000, 10_000, new ExponentialBackoffRetry(100, 5));
        client.start();
        client.blockUntilConnected();
        PeerOut.reply("{\"event\":\"ready\"}");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] p = line.trim().split(" ");
            switch (p[0]) {
                case "acquire":
                    acquire(p[1], p[2], Long.parseLong(p[3]), "release".equals(p[4]));
                    break;
                case "revoke":
                    try {
                        Revoker.attemptRevoke(client, p[2]);
                        PeerOut.event("revoked", p[1]);
                    } catch (Throwable t) {
                        PeerOut.error(p[1], t);
                    }
                    break;
                case "release": {
                    Hold h = holds.get(p[1]);
                    if (h == null) PeerOut.error(p[1], new IllegalStateException("no such hold"));
                    else releaseOnThread(p[1], h);
                    break;
                }
                case "exit":
                    client.close();
                    System.exit(0);
                    break;
                default:
                    PeerOut.reply("{\"event\":\"error\",\"ref\":\"\",\"message\":" + PeerOut.q("unknown command " + p[0]) + "}");
            }
        }
        client.close();
        System.exit(0);
    }
}
