// Real Curator 5.4.0 LeaderLatch and LeaderSelector members for the interop tests, driven over
// stdin/stdout like CuratorPeer (one command per line in, one JSON object per line out). Each
// member has a CuratorFramework of its own (its own session and connect string), so a test can
// cut one member's connection through a proxy and let its session expire.
//
//   latch <ref> <connect> <sessionMs> <path> <id>       start a LeaderLatch
//   selector <ref> <connect> <sessionMs> <path> <id>    start a LeaderSelector (LeaderSelectorListenerAdapter:
//                                                        SUSPENDED and LOST cancel leadership); its
//                                                        takeLeadership lasts until `yield <ref>` or an interrupt
//   yield <ref>                   the selector's takeLeadership returns
//   close <ref>                   close the member (a latch's exit is recorded first when it leads:
//                                 a silent close has no notLeader), then its client
//   participants <ref>            getParticipants of the member's recipe
//   record <file>                 append "<System.nanoTime()> enter <ref> [czxid]" when a member starts
//                                 leading and "<System.nanoTime()> exit <ref>" when it stops
//   exit
//
// Replies: {"event":"ready"}, {"event":"started","ref"}, {"event":"isLeader","ref"},
// {"event":"notLeader","ref"}, {"event":"closed","ref"}, {"event":"participants","ref","list":[{"id","isLeader"}]},
// {"event":"list","nodes":[]} (record), {"event":"error","ref","message"}
// System.nanoTime() is CLOCK_MONOTONIC on Linux, the clock of Node's process.hrtime: the records
// of JVM and Node members can be merged by time.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.LeaderSelector;
import org.apache.curator.framework.recipes.leader.LeaderSelectorListenerAdapter;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.data.Stat;

public final class CuratorLeaderPeer {
    /** One member: its client, its recipe, whether it leads now (for the record). */
    private static final class Member {
        final String ref;
        final CuratorFramework client;
        LeaderLatch latch;
        LeaderSelector selector;
        volatile CountDownLatch yield = new CountDownLatch(1);
        private boolean leading;

        Member(String ref, CuratorFramework client) {
            this.ref = ref;
            this.client = client;
        }

        /** Records the start of a term (once per term). */
        synchronized void enter(String token) throws Exception {
            if (leading) return;
            leading = true;
            PeerOut.record(System.nanoTime() + " enter " + ref + (token == null ? "" : " " + token));
            PeerOut.event("isLeader", ref);
        }

        /** Records the end of a term (once per term). */
        synchronized void exit() throws Exception {
            if (!leading) return;
            leading = false;
            PeerOut.record(System.nanoTime() + " exit " + ref);
            PeerOut.event("notLeader", ref);
        }
    }

    private static final Map<String, Member> members = new ConcurrentHashMap<>();

    private static CuratorFramework newClient(String connect, int sessionMs) throws Exception {
        CuratorFramework client = CuratorFrameworkFactory.newClient(connect, sessionMs, sessionMs, new ExponentialBackoffRetry(100, 5));
        client.start();
        if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) throw new IllegalStateException("could not connect to " + connect);
        return client;
    }

    private static void latch(String ref, String connect, int sessionMs, String path, String id) throws Exception {
        Member m = new Member(ref, newClient(connect, sessionMs));
        m.latch = new LeaderLatch(m.client, path, id);
        m.latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                try {
                    // The term starts now; its token (our node's czxid) takes a round trip to read, and
                    // the line is written with the time taken here.
                    long t = System.nanoTime();
                    Stat stat = m.client.checkExists().forPath(m.latch.getOurPath());
                    synchronized (m) {
                        if (m.leading || !m.latch.hasLeadership()) return;
                        m.leading = true;
                        PeerOut.record(t + " enter " + ref + (stat == null ? "" : " " + stat.getCzxid()));
                        PeerOut.event("isLeader", ref);
                    }
                } catch (Throwable e) {
                    PeerOut.error(ref, e);
                }
            }

            @Override
            public void notLeader() {
                try {
                    m.exit();
                } catch (Throwable e) {
                    PeerOut.error(ref, e);
                }
            }
        });
        members.put(ref, m);
        m.latch.start();
        PeerOut.event("started", ref);
    }

    private static void selector(String ref, String connect, int sessionMs, String path, String id) throws Exception {
        Member m = new Member(ref, newClient(connect, sessionMs));
        m.selector = new LeaderSelector(m.client, path, new LeaderSelectorListenerAdapter() {
            @Override
            public void takeLeadership(CuratorFramework client) throws Exception {
                m.enter(null);
                try {
                    m.yield.await();
                } finally {
                    m.yield = new CountDownLatch(1);
                    m.exit(); // before Curator releases the mutex
                }
            }
        });
        m.selector.setId(id);
        members.put(ref, m);
        m.selector.start();
        PeerOut.event("started", ref);
    }

    private static void close(Member m) throws Exception {
        if (m.latch != null) {
            synchronized (m) {
                m.exit(); // a silent close tells no listener: the term ends here, before the node goes
                m.latch.close();
            }
        } else {
            m.selector.close(); // interrupts takeLeadership, which records its exit
        }
        m.client.close();
        members.remove(m.ref);
        PeerOut.event("closed", m.ref);
    }

    private static void participants(Member m) throws Exception {
        Collection<Participant> list = m.latch != null ? m.latch.getParticipants() : m.selector.getParticipants();
        StringBuilder b = new StringBuilder("{\"event\":\"participants\",\"ref\":" + PeerOut.q(m.ref) + ",\"list\":[");
        boolean first = true;
        for (Participant p : list) {
            if (!first) b.append(',');
            b.append("{\"id\":").append(PeerOut.q(p.getId())).append(",\"isLeader\":").append(p.isLeader()).append('}');
            first = false;
        }
        PeerOut.reply(b.append("]}").toString());
    }

    private static Member member(String ref) {
        Member m = members.get(ref);
        if (m == null) throw new IllegalArgumentException("no member " + ref);
        return m;
    }

    public static void main(String[] args) throws Exception {
        PeerOut.reply("{\"event\":\"ready\"}");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] a = line.trim().split(" ", -1);
            String ref = a.length > 1 ? a[1] : "";
            try {
                switch (a[0]) {
                    case "latch":
                        latch(ref, a[2], Integer.parseInt(a[3]), a[4], a.length > 5 ? a[5] : "");
                        break;
                    case "selector":
                        selector(ref, a[2], Integer.parseInt(a[3]), a[4], a.length > 5 ? a[5] : "");
                        break;
                    case "yield":
                        member(ref).yield.countDown();
                        break;
                    case "close":
                        close(member(ref));
                        break;
                    case "participants":
                        participants(member(ref));
                        break;
                    case "record":
                        PeerOut.recordTo(a[1]);
                        PeerOut.reply("{\"event\":\"list\",\"nodes\":[]}");
                        break;
                    case "exit":
                        for (Member m : members.values()) {
                            try {
                                close(m);
                            } catch (Throwable ignored) {
                                // on the way out
                            }
                        }
                        PeerOut.reply("{\"event\":\"bye\"}");
                        System.exit(0);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown command " + a[0]);
                }
            } catch (Throwable t) {
                PeerOut.error(ref, t);
            }
        }
        System.exit(0);
    }
}
