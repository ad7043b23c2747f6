// Curator 5.4.0 side of `npm run bench`: the same workloads as zkurator, on the same server.
//   java CuratorBench <connect> <workload w1..w6> <count> <path>
// Prints one JSON line: {"cyclesPerSec":..,"p50Ms":..,"p99Ms":..}
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.retry.ExponentialBackoffRetry;

public final class CuratorBench {
    private static CuratorFramework client(String connect) throws Exception {
        CuratorFramework c = CuratorFrameworkFactory.newClient(connect, 10_000, 10_000, new ExponentialBackoffRetry(100, 5));
        c.start();
        if (!c.blockUntilConnected(30, TimeUnit.SECONDS)) throw new IllegalStateException("no connection");
        return c;
    }

    private static CuratorFramework[] clients(String connect, int count) throws Exception {
        CuratorFramework[] cs = new CuratorFramework[count];
        for (int i = 0; i < count; i++) cs[i] = client(connect);
        return cs;
    }

    /** Resident set size of this process, from /proc (kB). */
    private static long rssKb() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Paths.get("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return -1;
    }

    private static double pct(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) return 0;
        int i = (int) Math.min(sortedNanos.length - 1, Math.ceil(p * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, i)] / 1e6;
    }

    private static void report(int cycles, long elapsedNanos, long[] lat) {
        Arrays.sort(lat);
        System.out.printf("{\"cyclesPerSec\":%.1f,\"p50Ms\":%.3f,\"p99Ms\":%.3f}%n",
            cycles / (elapsedNanos / 1e9), pct(lat, 0.50), pct(lat, 0.99));
    }

    /** The work of thread i. */
    private interface ThreadBody {
        void run(int i) throws Exception;
    }

    /** Runs body(0..count-1), each on its own thread, and waits for all of them. */
    private static void onThreads(int count, ThreadBody body) throws InterruptedException {
        CountDownLatch finished = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            final int k = i;
            new Thread(() -> {
                try {
                    body.run(k);
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    finished.countDown();
                }
            }).start();
        }
        finished.await();
    }

    public static void main(String[] a) throws Exception {
        String connect = a[0];
        String workload = a[1];
        int n = Integer.parseInt(a[2]);
        String path = a[3];
        if (workload.equals("w1")) {
            CuratorFramework c = client(connect);
            InterProcessMutex m = new InterProcessMutex(c, path);
            int warmup = Integer.parseInt(System.getenv().getOrDefault("BENCH_W1_WARMUP", "500"));
            for (int i = 0; i < warmup; i++) { m.acquire(); m.release(); } // JIT warm-up
            long[] lat = new long[n];
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long s = System.nanoTime();
                m.acquire();
                m.release();
                lat[i] = System.nanoTime() - s;
            }
            report(n, System.nanoTime() - t0, lat);
            c.close();
        } else if (workload.equals("w2")) {
            int sessions = 8;
            CuratorFramework[] cs = clients(connect, sessions);
            AtomicInteger done = new AtomicInteger();
            AtomicLong lastRelease = new AtomicLong(0);
            long[] lat = new long[n + sessions];
            AtomicInteger latN = new AtomicInteger();
            long t0 = System.nanoTime();
            onThreads(sessions, (i) -> {
                InterProcessMutex m = new InterProcessMutex(cs[i], path);
                while (true) {
                    m.acquire();
                    long now = System.nanoTime();
                    long prev = lastRelease.get();
                    int k = done.incrementAndGet();
                    if (prev != 0 && k <= n) lat[latN.getAndIncrement()] = now - prev;
                    lastRelease.set(System.nanoTime());
                    m.release();
                    if (k >= n) break;
                }
            });
            long elapsed = System.nanoTime() - t0;
            report(n, elapsed, Arrays.copyOf(lat, latN.get()));
            for (CuratorFramework c : cs) c.close();
        } else if (workload.equals("w7")) {
            // InterProcessSemaphoreV2 with 3 leases, 8 sessions: n acquire+return cycles in all.
            int sessions = 8;
            CuratorFramework[] cs = clients(connect, sessions);
            AtomicInteger started = new AtomicInteger();
            long[] lat = new long[n + sessions];
            AtomicInteger latN = new AtomicInteger();
            long t0 = System.nanoTime();
            onThreads(sessions, (i) -> {
                InterProcessSemaphoreV2 sem = new InterProcessSemaphoreV2(cs[i], path, 3);
                while (started.getAndIncrement() < n) {
                    long s = System.nanoTime();
                    Lease lease = sem.acquire();
                    lat[latN.getAndIncrement()] = System.nanoTime() - s;
                    lease.close();
                }
            });
            long elapsed = System.nanoTime() - t0;
            report(n, elapsed, Arrays.copyOf(lat, latN.get()));
            for (CuratorFramework c : cs) c.close();
        } else if (workload.equals("w6")) {
            CuratorFramework c = client(connect);
            InterProcessMutex m = new InterProcessMutex(c, path);
            for (int i = 0; i < 1000; i++) { m.acquire(); m.release(); }
            long before = rssKb();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) { m.acquire(); m.release(); }
            long elapsed = System.nanoTime() - t0;
            long after = rssKb();
            System.out.printf("{\"cyclesPerSec\":%.1f,\"p50Ms\":0,\"p99Ms\":0,\"rssBeforeMb\":%.1f,\"rssAfterMb\":%.1f}%n",
                n / (elapsed / 1e9), before / 1024.0, after / 1024.0);
            c.close();
        } else if (workload.equals("w4")) {
            // n waiters over 10 sessions queue behind one holder; then drain: each releases at once.
            int sessions = 10;
            CuratorFramework[] cs = clients(connect, sessions);
            InterProcessMutex holder = new InterProcessMutex(cs[0], path);
            holder.acquire();
            CountDownLatch drained = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                final InterProcessMutex m = new InterProcessMutex(cs[i % sessions], path);
                Thread t = new Thread(() -> {
                    try {
                        m.acquire();
                        m.release();
                    } catch (Exception e) {
                        e.printStackTrace();
                    } finally {
                        drained.countDown();
                    }
                });
                t.setDaemon(true);
                t.start();
            }
            while (cs[0].getChildren().forPath(path).size() < n + 1) Thread.sleep(20);
            long t0 = System.nanoTime();
            holder.release();
            drained.await();
            long elapsed = System.nanoTime() - t0;
            System.out.printf("{\"cyclesPerSec\":%.1f,\"p50Ms\":0,\"p99Ms\":0,\"drainMs\":%.1f}%n", n / (elapsed / 1e9), elapsed / 1e6);
            for (CuratorFramework c : cs) c.close();
        } else if (workload.equals("w3")) {
            // n distinct lock paths held at once by one client: a thread per lock (Curator's
            // acquire blocks), all acquire concurrently, then all release.
            CuratorFramework c = client(connect);
            long[] lat = new long[n];
            InterProcessMutex[] locks = new InterProcessMutex[n];
            CountDownLatch acquired = new CountDownLatch(n);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch released = new CountDownLatch(n);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                final int k = i;
                locks[i] = new InterProcessMutex(c, path + "/" + i);
                Thread t = new Thread(() -> {
                    try {
                        long s = System.nanoTime();
                        locks[k].acquire();
                        lat[k] = System.nanoTime() - s;
                        acquired.countDown();
                        release.await();
                        locks[k].release(); // on the acquiring thread: Curator's rule
                    } catch (Exception e) {
                        e.printStackTrace();
                    } finally {
                        released.countDown();
                    }
                });
                t.setDaemon(true);
                t.start();
            }
            acquired.await();
            if (c.getChildren().forPath(path).size() != n) throw new IllegalStateException("expected " + n + " lock paths");
            release.countDown();
            released.await();
            report(n, System.nanoTime() - t0, lat);
            c.close();
        } else if (workload.equals("w5")) {
            // 8 clients on one read-write lock; every 10th operation of each is a write.
            int sessions = 8;
            int perSession = (n + sessions - 1) / sessions;
            CuratorFramework[] cs = clients(connect, sessions);
            long[] lat = new long[perSession * sessions];
            long t0 = System.nanoTime();
            onThreads(sessions, (w) -> {
                InterProcessReadWriteLock rw = new InterProcessReadWriteLock(cs[w], path);
                for (int k = 0; k < perSession; k++) {
                    InterProcessMutex lock = k % 10 == 9 ? rw.writeLock() : rw.readLock();
                    long s = System.nanoTime();
                    lock.acquire();
                    lock.release();
                    lat[w * perSession + k] = System.nanoTime() - s;
                }
            });
            report(perSession * sessions, System.nanoTime() - t0, lat);
            for (CuratorFramework c : cs) c.close();
        } else {
            throw new IllegalArgumentException("unknown workload " + workload);
        }
        System.exit(0);
    }
}
