// Reference encodings from ZooKeeper's own jute classes (zookeeper-jute.jar, zookeeper.jar),
// for test/unit/jute-records.test.ts: every record the TypeScript client reads or writes,
// with the fixed values the test uses, printed as "name hex" lines.
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.MultiResponse;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.*;

public class JuteVectors {
  interface Body { void write(BinaryOutputArchive a) throws Exception; }

  static void emit(String name, Body body) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    body.write(BinaryOutputArchive.getArchive(out));
    StringBuilder hex = new StringBuilder();
    for (byte b : out.toByteArray()) hex.append(String.format("%02x", b));
    System.out.println(name + " " + hex);
  }

  static void rec(String name, Record r) throws Exception {
    emit(name, a -> r.serialize(a, "r"));
  }

  static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

  public static void main(String[] args) throws Exception {
    Stat stat = new Stat(0x100000001L, 0x100000002L, 1700000000123L, 1700000000456L, 7, 3, 1, 0x1234567890abcdefL, 5, 2, -0x7ffffffffffffff0L);
    List<ACL> acls = Arrays.asList(new ACL(31, new Id("world", "anyone")), new ACL(1, new Id("digest", "user:aGFzaA==")));
    byte[] passwd = new byte[16];
    for (int i = 0; i < 16; i++) passwd[i] = (byte) (i * 17);

    rec("Stat", stat);
    rec("ACL", acls.get(1));
    emit("ConnectRequest", a -> { new ConnectRequest(0, 0x55L, 10000, 0x1000badL, passwd).serialize(a, "r"); a.writeBool(false, "readOnly"); });
    emit("ConnectResponse", a -> { new ConnectResponse(0, 4000, 0x1000badL, passwd).serialize(a, "r"); a.writeBool(false, "readOnly"); });
    rec("ConnectResponseExpired", new ConnectResponse(0, 0, 0L, new byte[16]));
    rec("RequestHeader", new RequestHeader(42, 12));
    rec("ReplyHeader", new ReplyHeader(42, 0x300000007L, -101));
    rec("WatcherEvent", new WatcherEvent(2, 3, "/locks/é-1"));
    rec("CreateRequest", new CreateRequest("/a/b", utf8("data"), acls, 3));
    rec("CreateRequestNullData", new CreateRequest("/a", null, acls.subList(0, 1), 4));
    rec("CreateTTLRequest", new CreateTTLRequest("/t", utf8("x"), acls.subList(0, 1), 5, 60000L));
    rec("CreateResponse", new CreateResponse("/a/b0000000001"));
    rec("Create2Response", new Create2Response("/a/b0000000001", stat));
    rec("DeleteRequest", new DeleteRequest("/a/b", 7));
    rec("ExistsRequest", new ExistsRequest("/a", true));
    rec("ExistsResponse", new ExistsResponse(stat));
    rec("GetDataRequest", new GetDataRequest("/a", false));
    rec("GetDataResponse", new GetDataResponse(utf8("hello"), stat));
    rec("SetDataRequest", new SetDataRequest("/a", utf8("v2"), -1));
    rec("SetDataResponse", new SetDataResponse(stat));
    rec("GetChildrenRequest", new GetChildrenRequest("/a", true));
    rec("GetChildrenResponse", new GetChildrenResponse(Arrays.asList("x", "lock-0000000001", "日本")));
    rec("GetChildren2Request", new GetChildren2Request("/a", false));
    rec("GetChildren2Response", new GetChildren2Response(Arrays.asList("b", "c"), stat));
    rec("GetACLRequest", new GetACLRequest("/a"));
    rec("GetACLResponse", new GetACLResponse(acls, stat));
    rec("SetACLRequest", new SetACLRequest("/a", acls, 2));
    rec("SetACLResponse", new SetACLResponse(stat));
    rec("SyncRequest", new SyncRequest("/a"));
    rec("SyncResponse", new SyncResponse("/a"));
    rec("AuthPacket", new AuthPacket(0, "digest", utf8("user:secret")));
    rec("SetWatches", new SetWatches(0x77L, Arrays.asList("/d1", "/d2"), Arrays.asList("/e1"), Arrays.asList("/c1", "/c2", "/c3")));
    rec("MultiRequest", new MultiOperationRecord(Arrays.asList(
        Op.create("/m/a", utf8("1"), acls.subList(0, 1), CreateMode.EPHEMERAL_SEQUENTIAL),
        Op.create("/m/c", new byte[0], acls.subList(0, 1), CreateMode.CONTAINER),
        Op.delete("/m/b", 4),
        Op.setData("/m/c", utf8("22"), -1),
        Op.check("/m", 9))));
    MultiResponse ok = new MultiResponse();
    ok.add(new OpResult.CreateResult("/m/a0000000003"));
    ok.add(new OpResult.CreateResult("/m/c", stat));
    ok.add(new OpResult.DeleteResult());
    ok.add(new OpResult.SetDataResult(stat));
    ok.add(new OpResult.CheckResult());
    rec("MultiResponse", ok);
    MultiResponse failed = new MultiResponse();
    failed.add(new OpResult.ErrorResult(0));
    failed.add(new OpResult.ErrorResult(-101));
    failed.add(new OpResult.ErrorResult(-2));
    rec("MultiResponseFailed", failed);
  }
}
