// One Curator 5.4.0 LeaderLatch member in a JVM of its own, for the failover benchmark: the
// same lines and commands as failover-member.ts (see there), stamped with System.nanoTime()
// (CLOCK_MONOTONIC on Linux, the clock of Node's process.hrtime).
//   java CuratorLatchMember <connect> <sessionTimeoutMs> <path> <id>
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.retry.ExponentialBackoffRetry;

public final class CuratorLatchMember {
    private static CuratorFramework client;
    private static String path;
    private static String id;
    private static LeaderLatch latch;

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void join() throws Exception {
        LeaderLatch member = new LeaderLatch(client, path, id);
        member.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                say("leader " + System.nanoTime() + " " + member.getOurPath());
            }

            @Override
            public void notLeader() {
            }
        });
        latch = member;
        member.start();
        // Curator creates the node in the background, after start() returns: wait for it.
        while (member.getOurPath() == null) Thread.sleep(1);
        say("joined " + member.getOurPath());
    }

    public static void main(String[] args) throws Exception {
        int sessionMs = Integer.parseInt(args[1]);
        path = args[2];
        id = args[3];
        client = CuratorFrameworkFactory.newClient(args[0], sessionMs, sessionMs, new ExponentialBackoffRetry(100, 10));
        client.start();
        if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) throw new IllegalStateException("no connection to " + args[0]);
        join();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("join")) {
                join();
            } else if (line.equals("close")) {
                say("closing " + System.nanoTime());
                latch.close();
                say("closed");
            } else if (line.equals("touch")) {
                client.checkExists().forPath(path);
                say("touched");
            } else if (line.equals("exit")) {
                break;
            }
        }
        if (latch != null && latch.getState() == LeaderLatch.State.STARTED) latch.close();
        client.close();
        System.exit(0);
    }
}
