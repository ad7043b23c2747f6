// The JVM side of `npm run demo`: a plain Curator 5.4.0 client taking the same mutex and
// read-write lock as the zkurator workers. One JSON event per line on stdout.
//   java CuratorDemoWorker <connect> <name> <mutexPath> <rwPath> <rounds> <seed>
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessLock;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.retry.ExponentialBackoffRetry;

public final class CuratorDemoWorker {
    private static String name;

    private static void event(String lock, String what) {
        System.out.println("{\"who\":\"" + name + "\",\"lock\":\"" + lock + "\",\"event\":\"" + what
            + "\",\"t\":" + System.currentTimeMillis() + "}");
        System.out.flush();
    }

    private static void hold(InterProcessLock lock, String kind, Random random) throws Exception {
        if (!lock.acquire(30, TimeUnit.SECONDS)) throw new IllegalStateException("no " + kind + " lock in 30 s");
        event(kind, "acquired");
        Thread.sleep(80 + random.nextInt(120)); // the "work" done under the lock
        event(kind, "released"); // said before the node goes, so no one else can be in yet
        lock.release();
        Thread.sleep(20 + random.nextInt(60));
    }

    public static void main(String[] args) throws Exception {
        String connect = args[0];
        name = args[1];
        String mutexPath = args[2];
        String rwPath = args[3];
        int rounds = Integer.parseInt(args[4]);
        Random random = new Random(Long.parseLong(args[5]));
        try (CuratorFramework client = CuratorFrameworkFactory.newClient(connect, new ExponentialBackoffRetry(100, 3))) {
            client.start();
            client.blockUntilConnected();
            InterProcessMutex mutex = new InterProcessMutex(client, mutexPath);
            for (int i = 0; i < rounds; i++) hold(mutex, "mutex", random);
            InterProcessReadWriteLock rw = new InterProcessReadWriteLock(client, rwPath);
            for (int i = 0; i < rounds * 2; i++) {
                boolean write = random.nextInt(10) < 3;
                hold(write ? rw.writeLock() : rw.readLock(), write ? "write" : "read", random);
            }
        }
        event("-", "done");
    }
}
