// A real Apache Curator client for the SemaphoreV2 / SemaphoreMutex / SharedCount interop tests,
// driven over stdin/stdout like CuratorPeer. One command per line in, one JSON object per line
// out. Every hold runs on its own thread (InterProcessSemaphoreMutex would block its thread).
//
//   acquire <ref> <kind> <path> <timeoutMs|-1> <leases> [qty]
//        kind: semaphore (InterProcessSemaphoreV2) | smutex (InterProcessSemaphoreMutex)
//        leases: a number (maxLeases) or count:<path> (the started SharedCount on <path>)
//   again <ref> <newRef> <timeoutMs>   acquire the SemaphoreMutex of <ref> again, on its thread
//   release <ref>                      return the leases of <ref> (or release its mutex)
//   loop <ref> <path> <leases> <cycles> <holdMs>   acquire 1 lease, record, hold, record, return; <cycles> times
//   list <path>                        getParticipantNodes of a V2 semaphore on <path>
//   startcount <path> <seed>           start a SharedCount on <path>
//   setcount <path> <n>                SharedCount.setCount
//   getcount <path>                    SharedCount.getCount (as this peer sees it now)
//   record <file>                      append "enter <ref>" after each grant and "exit <ref>" before each return
//   exit
//
// Replies: {"event":"ready"}, {"event":"acquired","ref":..}, {"event":"timeout","ref":..},
// {"event":"released","ref":..}, {"event":"looped","ref":..}, {"event":"list","nodes":[..]},
// {"event":"error","ref":..,"message":..}
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreMutex;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.retry.ExponentialBackoffRetry;

public final class CuratorSemaphorePeer {
    private static final class Hold {
        final ExecutorService thread;
        Collection<Lease> leases;
        InterProcessSemaphoreMutex mutex;

        Hold(ExecutorService thread) {
            this.thread = thread;
        }
    }

    private static final Map<String, Hold> holds = new ConcurrentHashMap<>();
    private static final Map<String, SharedCount> counts = new ConcurrentHashMap<>();
    private static CuratorFramework client;

    private static InterProcessSemaphoreV2 semaphore(String path, String leases) {
        if (leases.startsWith("count:")) {
            SharedCount count = counts.get(leases.substring("count:".length()));
            if (count == null) throw new IllegalStateException("no started SharedCount " + leases);
            return new InterProcessSemaphoreV2(client, path, count);
        }
        return new InterProcessSemaphoreV2(client, path, Integer.parseInt(leases));
    }

    private static void acquire(String ref, String kind, String path, long timeoutMs, String leases, int qty) {
        Hold h = new Hold(Executors.newSingleThreadExecutor());
        h.thread.submit(() -> {
            try {
                boolean ok;
                if (kind.equals("smutex")) {
                    h.mutex = new InterProcessSemaphoreMutex(client, path);
                    ok = timeoutMs < 0 ? acquireForever(h.mutex) : h.mutex.acquire(timeoutMs, TimeUnit.MILLISECONDS);
                } else {
                    InterProcessSemaphoreV2 sem = semaphore(path, leases);
                    h.leases = timeoutMs < 0 ? sem.acquire(qty) : sem.acquire(qty, timeoutMs, TimeUnit.MILLISECONDS);
                    ok = h.leases != null;
                }
                if (ok) {
                    PeerOut.record("enter " + ref);
                    holds.put(ref, h);
                    PeerOut.event("acquired", ref);
                } else {
                    PeerOut.event("timeout", ref);
                }
            } catch (Throwable t) {
                PeerOut.error(ref, t);
            }
        });
    }

    private static boolean acquireForever(InterProcessSemaphoreMutex m) throws Exception {
        m.acquire();
        return true;
    }

    /** The SemaphoreMutex of <ref> asked again on its own thread: Curator's non-re-entrancy. */
    private static void again(String ref, String newRef, long timeoutMs) {
        Hold h = holds.get(ref);
        if (h == null || h.mutex == null) throw new IllegalStateException("no SemaphoreMutex hold " + ref);
        h.thread.submit(() -> {
            try {
                PeerOut.event(h.mutex.acquire(timeoutMs, TimeUnit.MILLISECONDS) ? "acquired" : "timeout", newRef);
            } catch (Throwable t) {
                PeerOut.error(newRef, t);
            }
        });
    }

    private static void release(String ref) {
        Hold h = holds.remove(ref);
        if (h == null) {
            PeerOut.error(ref, new IllegalStateException("no such hold"));
            return;
        }
        h.thread.submit(() -> {
            try {
                PeerOut.record("exit " + ref);
                if (h.mutex != null) h.mutex.release();
                else for (Lease l : h.leases) l.close();
                PeerOut.event("released", ref);
            } catch (Throwable t) {
                PeerOut.error(ref, t);
            } finally {
                h.thread.shutdown();
            }
        });
    }

    private static void loop(String ref, String path, String leases, int cycles, long holdMs) {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        thread.submit(() -> {
            try {
                InterProcessSemaphoreV2 sem = semaphore(path, leases);
                for (int i = 0; i < cycles; i++) {
                    Lease lease = sem.acquire(120, TimeUnit.SECONDS);
                    if (lease == null) throw new IllegalStateException("no lease within 120 s at cycle " + i);
                    PeerOut.record("enter " + ref + "." + i);
                    if (holdMs > 0) Thread.sleep(holdMs);
                    PeerOut.record("exit " + ref + "." + i);
                    lease.close();
                }
                PeerOut.event("looped", ref);
            } catch (Throwable t) {
                PeerOut.error(ref, t);
            } finally {
                thread.shutdown();
            }
        });
    }

    public static void main(String[] args) throws Exception {
        client = CuratorFrameworkFactory.newClient(args[0], 10_000, 10_000, new ExponentialBackoffRetry(100, 5));
        client.start();
        if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
            PeerOut.error("", new IllegalStateException("could not connect"));
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
                        acquire(a[1], a[2], a[3], Long.parseLong(a[4]), a[5], a.length > 6 ? Integer.parseInt(a[6]) : 1);
                        break;
                    case "again":
                        again(a[1], a[2], Long.parseLong(a[3]));
                        break;
                    case "release":
                        release(a[1]);
                        break;
                    case "loop":
                        loop(a[1], a[2], a[3], Integer.parseInt(a[4]), Long.parseLong(a[5]));
                        break;
                    case "list":
                        PeerOut.list(new InterProcessSemaphoreV2(client, a[1], 1).getParticipantNodes());
                        break;
                    case "startcount": {
                        SharedCount count = new SharedCount(client, a[1], Integer.parseInt(a[2]));
                        count.start();
                        counts.put(a[1], count);
                        PeerOut.list(new ArrayList<>());
                        break;
                    }
                    case "setcount":
                        counts.get(a[1]).setCount(Integer.parseInt(a[2]));
                        PeerOut.list(new ArrayList<>());
                        break;
                    case "getcount": {
                        List<String> one = new ArrayList<>();
                        one.add(String.valueOf(counts.get(a[1]).getCount()));
                        PeerOut.list(one);
                        break;
                    }
                    case "record":
                        PeerOut.recordTo(a[1]);
                        PeerOut.list(new ArrayList<>());
                        break;
                    case "exit":
                        for (SharedCount c : counts.values()) c.close();
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
