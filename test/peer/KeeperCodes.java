// Every error code of the installed ZooKeeper's KeeperException.Code, as "NAME value" lines,
// for test/unit/error-codes.test.ts.
import org.apache.zookeeper.KeeperException;

public class KeeperCodes {
  public static void main(String[] args) {
    for (KeeperException.Code c : KeeperException.Code.values()) System.out.println(c.name() + " " + c.intValue());
  }
}
